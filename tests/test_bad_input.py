"""Bad input never crashes a scan and never hides other results (walking-skeleton issue, item 10)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, assert_valid_sarif

BAD_TF = (ROOT / "rules/JEP101-full-wildcard-action/bad.tf").read_text()

CASES: dict[str, bytes] = {
    "broken.tf": b'resource "aws_iam_role" "r" {\n  name = "x"\n',
    "broken-k8s.yaml": b"apiVersion: v1\nkind: ServiceAccount\nmetadata: [unclosed\n",
    "broken-policy.json": b'{"Version": "2012-10-17", "Statement": [\n  {"Effect": "Allow",\n',
    "latin1.tf": 'resource "aws_iam_user" "u" {\n  name = "caf\xe9"\n}\n'.encode("latin-1"),
    "binary.yaml": b"\x00\x01\x02apiVersion\x00\xff\xfe" * 10,
    "empty.tf": b"",
    "empty.yaml": b"",
    "python-tag.yaml": b'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: !!python/object/apply:os.system ["touch pwned"]\n',
    "utf16.tf": '\ufeffresource "aws_iam_user" "u" {\n  name = "u"\n}\n'.encode("utf-16"),
}

EXPECTED_ERRORS = [
    "binary.yaml:1:1: error: binary file (NUL bytes), not text",
    "broken-k8s.yaml:4:1: error: ",
    "broken-policy.json:3:1: error: ",
    "broken.tf:3:1: error: unexpected end of file, expected '}'",
    "latin1.tf:2:14: error: not UTF-8 text (byte 0xe9)",
]


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    for name, data in CASES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "x.tf").mkdir()  # a directory with a Terraform name is walked, not read
    (tmp_path / "x.tf" / "main.tf").write_text(BAD_TF)
    return tmp_path


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jeplint", "scan", ".", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_every_bad_file_reported_and_good_file_still_analysed(estate: Path) -> None:
    proc = _run(estate)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = sorted(proc.stderr.splitlines())
    assert len(errors) == len(EXPECTED_ERRORS)
    for line, expected in zip(errors, EXPECTED_ERRORS):
        assert line.startswith(expected), (line, expected)
    assert proc.stdout.splitlines() == [
        'x.tf/main.tf:24:18: JEP101 role ci-deployer can perform every AWS action ("*") on every resource through policy deploy, statement 1',
        "Found 1 finding (1 error) in 4 files (1 other file read, not IaC). 5 inputs could not be analysed (see stderr).",
    ]
    assert not (estate / "pwned").exists(), "a YAML tag must never run code"


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_problems_in_machine_formats(estate: Path, fmt: str) -> None:
    proc = _run(estate, "--format", fmt)
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    if fmt == "json":
        assert sorted(p["path"] for p in data["problems"]) == [
            "binary.yaml",
            "broken-k8s.yaml",
            "broken-policy.json",
            "broken.tf",
            "latin1.tf",
        ]
        assert data["summary"]["files_failed"] == 5 and data["summary"]["findings"] == 1
    else:
        assert_valid_sarif(data)
        notes = data["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        assert len(notes) == 5 and all(n["level"] == "error" for n in notes)
        assert len(data["runs"][0]["results"]) == 1


def test_oversized_file_is_reported_not_dropped(tmp_path: Path) -> None:
    (tmp_path / "big.tf").write_text(BAD_TF + "\n" + "# padding\n" * 2000)
    proc = _run(tmp_path, "--max-file-size", "4k")
    assert proc.returncode == 2
    assert proc.stderr == "big.tf:1:1: error: file is 20,762 bytes, over the 4,096-byte limit (--max-file-size)\n"


def test_unrendered_helm_template_is_a_note_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "sa.yaml").write_text(
        "{{- if .Values.create }}\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n{{- end }}\n"
    )
    proc = _run(tmp_path)
    assert proc.returncode == 0
    assert "sa.yaml:1:3: note: looks like an unrendered template" in proc.stderr


def test_repeated_keys_are_a_note_where_they_are(tmp_path: Path) -> None:
    """A repeated key keeps its last value; the earlier one (here a wildcard) must not go unseen."""
    (tmp_path / "policy.json").write_text(
        '{"Statement": [{"Effect": "Allow",\n  "Action": "*",\n  "Action": "s3:GetObject", "Resource": "*"}]}\n'
    )
    (tmp_path / "sa.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  name: b\n")
    proc = _run(tmp_path)
    assert proc.returncode == 0
    assert proc.stderr.splitlines() == [
        "policy.json:3:3: note: key 'Action' is repeated in one object: only its last value counts, the earlier one is ignored",
        "sa.yaml:5:3: note: key 'name' is repeated in one object: only its last value counts, the earlier one is ignored",
    ]
