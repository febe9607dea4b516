"""Issue 19, bullet 5: jeplint reads a file as the tool that deploys it does. Each case is
differential: the value the deployer's parser computes (Python's json and PyYAML, which decode key
escapes and apply merge keys as kubectl's and CloudFormation's parsers do) next to what jeplint
reports, with its exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from jeplint.cli import main

WILDCARD_ROLE = """\
kind: ClusterRole
metadata:
  name: anything
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["scan", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_json_key_escapes_classify_after_parsing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        '{"\\u0052esources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {'
        '"AssumeRolePolicyDocument": {"Statement": []}, "Policies": [{"PolicyName": "all", "PolicyDocument": '
        '{"\\u0053tatement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}}}}'
    )
    (repo / "stack.json").write_text(text)
    deployed = json.loads(text)  # what CloudFormation reads
    assert deployed["Resources"]["Role"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] == "*"
    code, out, err = _scan(capsys, ".", "--select", "JEP101")
    assert (code, err) == (1, "")
    col = text.index('"Action": "*"') + len('"Action": ') + 1
    assert out == [
        f'stack.json:1:{col}: JEP101 role Role can perform every AWS action ("*") on every resource through policy all, statement 1',
        "Found 1 finding (1 error) in 1 file.",
    ]


def test_yaml_key_escapes_classify_after_parsing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = '"api\\x56ersion": rbac.authorization.k8s.io/v1\n' + WILDCARD_ROLE
    (repo / "role.yaml").write_text(text)
    assert yaml.safe_load(text)["apiVersion"] == "rbac.authorization.k8s.io/v1"  # what kubectl reads
    code, out, err = _scan(capsys, ".", "--select", "JEP104")
    assert (code, err) == (1, "")
    assert out == [
        'role.yaml:8:13: JEP104 ClusterRole anything, rule 1 lets its holder perform every verb ("*") on every resource'
        ' ("*") in every API group ("*"); it is attached to no identity in the scan',
        "Found 1 finding (1 error) in 1 file.",
    ]


BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci
defaults: &admin
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
roleRef: {{<<: *admin{override}}}
subjects:
  - kind: ServiceAccount
    name: deployer
    namespace: ci
"""


def test_yaml_merge_key_is_applied(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BINDING.format(override="")
    (repo / "binding.yaml").write_text(text)
    assert yaml.safe_load(text)["roleRef"]["name"] == "cluster-admin"  # what kubectl applies
    code, out, err = _scan(capsys, ".", "--select", "JEP106")
    assert (code, err) == (1, "")
    assert out[0] == (
        "binding.yaml:11:5: JEP106 serviceaccount ci/deployer holds built-in ClusterRole cluster-admin (every verb on"
        " every resource in the cluster) through ClusterRoleBinding ci"
    )


def test_yaml_merge_key_loses_to_the_mapping_own_key(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BINDING.format(override=", name: view")
    (repo / "binding.yaml").write_text(text)
    assert yaml.safe_load(text)["roleRef"]["name"] == "view"
    code, out, err = _scan(capsys, ".", "--select", "JEP106")
    assert (code, err) == (0, "")
    assert out == ["No findings in 1 file."]


def test_braces_in_a_comment_do_not_excuse_a_broken_document(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "# rendered from {{ .Values.name }} once\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [broken\n"
    (repo / "sa.yaml").write_text(text)
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)  # kubectl cannot read it either
    code, out, err = _scan(capsys, ".")
    assert code == 2
    assert err.startswith("sa.yaml:6:1: error: ")


def test_template_syntax_at_the_fault_is_a_note(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  labels:\n    {{- include "labels" . | nindent 4 }}\n'
    (repo / "sa.yaml").write_text(text)
    code, out, err = _scan(capsys, ".")
    assert (code, out) == (
        0,
        [
            "No IaC files found: nothing was analysed (1 file read, none of them Terraform, CloudFormation, Kubernetes or an IAM policy)."
        ],
    )
    assert (
        err == "sa.yaml:6:7: note: looks like an unrendered template ('{{ }}'); render it first (for example `helm template`)\n"
    )


def test_file_in_a_helm_chart_templates_folder_is_a_note(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "chart" / "templates").mkdir(parents=True)
    (repo / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    (repo / "chart" / "templates" / "sa.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [x\n")
    code, out, err = _scan(capsys, "chart/templates")
    assert code == 0
    assert err.startswith("chart/templates/sa.yaml:") and ": note: unrendered Helm chart template; render it first" in err
    # The same file outside a chart is an error: nothing says it is a template.
    (repo / "chart" / "Chart.yaml").unlink()
    code, _, err = _scan(capsys, "chart/templates")
    assert code == 2 and ": error: " in err


def test_hook_reports_a_finding_whose_related_location_is_in_the_changed_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "infra").mkdir()
    (repo / "infra" / "role.tf").write_text(
        'resource "aws_iam_role" "app" {\n  name               = "app"\n  assume_role_policy = "{}"\n}\n'
    )
    (repo / "infra" / "policy.tf").write_text(
        'resource "aws_iam_policy" "esc" {\n  name   = "esc"\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["iam:PutRolePolicy"],'
        ' Resource = "arn:aws:iam::123456789012:role/app" }] })\n}\n'
        'resource "aws_iam_role_policy_attachment" "a" {\n  role       = aws_iam_role.app.name\n'
        "  policy_arn = aws_iam_policy.esc.arn\n}\n"
    )
    # Only the policy changed; the finding is placed at the role, in the sibling file.
    code, out, err = _scan(capsys, "--context-dirs", "infra/policy.tf")
    assert (code, err) == (1, "")
    assert out[0].startswith("infra/role.tf:1:25: JEP401 role app can escalate to administrator: iam:PutRolePolicy")
