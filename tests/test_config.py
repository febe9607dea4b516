"""Configuration (`[tool.jeplint]` in pyproject.toml, `.jeplint.toml`), `jeplint explain`, and the
progress line of long scans."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from jeplint import cli, config
from jeplint.cli import main
from jeplint.globmatch import Glob
from jeplint.rules.base import catalogue

POLICY = """\
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "app" {
  name   = "app"
  role   = aws_iam_role.app.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = "arn:aws:s3:::app/*" }, { Effect = "Allow", Action = ["*"], Resource = "*" }] })
}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """infra/main.tf (JEP101 and JEP102) and legacy/old.tf (the same), cwd = the repository."""
    for folder in ("infra", "legacy"):
        (tmp_path / folder).mkdir()
    (tmp_path / "infra" / "main.tf").write_text(POLICY)
    (tmp_path / "legacy" / "old.tf").write_text(POLICY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, str, str]]]:
    """(exit code, [(path, rule, level)]) of a JSON scan."""
    code = main(["scan", *args, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return code, [(f["location"]["path"], f["rule_id"], f["level"]) for f in report["findings"]]


def test_defaults_without_configuration(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Every test here keeps to the wildcard family (JEP10x): the fixture is written for it.
    assert findings(capsys, ".", "--select", "JEP10") == (
        1,
        [
            ("infra/main.tf", "JEP102", "warning"),
            ("infra/main.tf", "JEP101", "error"),
            ("legacy/old.tf", "JEP102", "warning"),
            ("legacy/old.tf", "JEP101", "error"),
        ],
    )


def test_pyproject_section_found_from_the_scanned_path_upward(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.jeplint]\nselect = ["JEP10"]\nignore = ["JEP102"]\nexclude = ["legacy"]\n\n[tool.jeplint.levels]\nJEP1 = "note"\n'
    )
    assert findings(capsys, "infra") == (0, [("infra/main.tf", "JEP101", "note")])  # a note does not fail the run
    assert findings(capsys, ".") == (0, [("infra/main.tf", "JEP101", "note")])
    assert findings(capsys, "legacy/old.tf") == (0, [])  # excluded even when named
    # Command-line options replace the file's.
    assert findings(capsys, ".", "--ignore", "JEP101", "--fail-on", "note") == (1, [("infra/main.tf", "JEP102", "note")])


def test_dot_jeplint_toml_wins_and_pyproject_without_section_is_passed_over(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text('[tool.jeplint]\nselect = ["JEP102"]\n')
    (repo / ".jeplint.toml").write_text('select = ["JEP101"]\nfail-on = "never"\n')
    (repo / "infra" / "pyproject.toml").write_text('[project]\nname = "infra"\n')
    assert findings(capsys, "infra") == (0, [("infra/main.tf", "JEP101", "error")])
    assert config.find(["infra"]) == str(repo / ".jeplint.toml")
    (repo / "infra" / "pyproject.toml").write_text('[tool.jeplint]\nselect = ["JEP10"]\nlevels = { JEP101 = "warning" }\n')
    assert findings(capsys, "infra") == (1, [("infra/main.tf", "JEP102", "warning"), ("infra/main.tf", "JEP101", "warning")])
    assert main(["scan", "infra", "--config", ".jeplint.toml", "--format", "json"]) == 0
    capsys.readouterr()


def test_longest_level_prefix_wins() -> None:
    levels = (("JEP1", "note"), ("JEP101", "error"), ("JEP10", "warning"))
    assert [config.level_for(rule, levels) for rule in ("JEP101", "JEP102", "JEP110", "JEP201")] == [
        "error",
        "warning",
        "note",
        None,
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("selec = []\n", "unknown key 'selec' (known: select, ignore, fail-on, exclude, levels, thresholds, purposes)"),
        ('select = "JEP1"\n', "select must be a list of strings"),
        ('ignore = ["CKV_AWS_1"]\n', "ignore: unknown rule 'CKV_AWS_1' (see \"jeplint rules\")"),
        ('fail-on = "always"\n', "fail-on must be one of error, warning, note, never, not 'always'"),
        ('[levels]\nJEP101 = "fatal"\n', "levels.JEP101 must be one of error, warning, note, not 'fatal'"),
        ("[thresholds]\nno-such-threshold = 3\n", "unknown threshold 'no-such-threshold' (known: "),
        ("select = [\n", "not valid TOML: "),
    ],
)
def test_bad_configuration_exits_2(repo: Path, capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    (repo / ".jeplint.toml").write_text(text)
    assert main(["scan", "."]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"jeplint: error: {repo / '.jeplint.toml'}") and message in err


def test_missing_explicit_configuration_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", ".", "--config", "nope.toml"]) == 2
    assert capsys.readouterr().err == "jeplint: error: nope.toml: cannot read: No such file or directory\n"


@dataclasses.dataclass(frozen=True)
class _Thresholds:
    """A stand-in for `Options` with one field of each kind the mapping must handle."""

    now: object = None
    max_age: timedelta = timedelta(days=90)
    max_functions: int = 3
    ratio: float = 0.5
    strict: bool = False
    label: str = "x"
    services: tuple[str, ...] = ()


def test_thresholds_map_to_options_fields_by_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "Options", _Thresholds)
    (tmp_path / ".jeplint.toml").write_text(
        '[thresholds]\nmax-age = "1d12h"\nmax_functions = 5\nratio = 1\nstrict = true\nlabel = "y"\nservices = ["s3", "iam"]\n'
    )
    loaded = config.load(str(tmp_path / ".jeplint.toml"))
    assert config.options(loaded, _Thresholds()) == _Thresholds(  # type: ignore[arg-type]
        max_age=timedelta(days=1, hours=12), max_functions=5, ratio=1.0, strict=True, label="y", services=("s3", "iam")
    )
    for bad in (
        "max-age = 90",
        'max-age = "90 days"',
        "max-functions = true",
        'max-functions = "5"',
        "strict = 1",
        "services = 's3'",
    ):
        (tmp_path / ".jeplint.toml").write_text(f"[thresholds]\n{bad}\n")
        with pytest.raises(config.ConfigError, match=r"thresholds\.max[-_]age must be a duration|thresholds\.\S+ must be "):
            config.load(str(tmp_path / ".jeplint.toml"))


def test_every_real_threshold_is_configurable(tmp_path: Path) -> None:
    """Each field of the real `Options` (but the clock) is accepted, with the value of its default."""
    defaults = config.Options()
    lines = []
    for f in dataclasses.fields(defaults):
        if f.name == "now":
            continue
        value = getattr(defaults, f.name)
        text = (
            f'"{int(value.total_seconds())}s"'
            if isinstance(value, timedelta)
            else json.dumps(list(value) if isinstance(value, (tuple, frozenset)) else value)
        )
        lines.append(f"{f.name.replace('_', '-')} = {text}")
    (tmp_path / ".jeplint.toml").write_text("[thresholds]\n" + "\n".join(lines) + "\n")
    assert config.options(config.load(str(tmp_path / ".jeplint.toml")), defaults) == defaults


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("legacy", ["legacy/a.tf", "x/legacy/b/c.tf", "legacy"], ["legacyx/a.tf", "a/legacy.tf"]),
        ("/legacy", ["legacy/a.tf"], ["x/legacy/a.tf"]),
        ("modules/*/examples", ["modules/vpc/examples/a.tf"], ["modules/vpc/x/examples/a.tf", "x/modules/vpc/examples/a.tf"]),
        ("modules/**/examples", ["modules/examples/a.tf", "modules/a/b/examples/c.tf"], ["modules/a/b/c.tf"]),
        ("*.generated.tf", ["a.generated.tf", "x/y/a.generated.tf"], ["a.tf", "generated.tf.json"]),
        ("./env/prod/", ["env/prod/main.tf"], ["env/production/main.tf"]),
        ("env/?/main.tf", ["env/a/main.tf"], ["env/ab/main.tf"]),
    ],
)
def test_exclude_globs(pattern: str, matches: list[str], misses: list[str]) -> None:
    glob = Glob(pattern)
    assert [p for p in matches if glob.match(p)] == matches
    assert [p for p in misses if glob.match(p)] == []


def test_exclusion_is_relative_to_the_configuration_folder(tmp_path: Path) -> None:
    excluded = config.exclusion(("legacy",), str(tmp_path / "repo"))
    assert excluded(str(tmp_path / "repo" / "legacy" / "a.tf"))
    assert not excluded(str(tmp_path / "legacy" / "a.tf"))  # outside the configuration's folder


def test_explain_prints_the_rule_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    meta = catalogue()["JEP101"]
    assert main(["explain", "JEP101"]) == 0
    out = capsys.readouterr().out
    assert out == meta.help_text()
    assert out.startswith('JEP101 full-wildcard-action: An Allow statement grants every AWS action ("*").\n')
    assert "Example (bad.tf):\n" in out and "Use instead (good.tf):\n" in out and "# expect" not in out
    assert main(["explain", "full-wildcard-action"]) == 0 and capsys.readouterr().out == out
    assert main(["explain", "jep101"]) == 0 and capsys.readouterr().out == out


def test_explain_unknown_rule_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "JEP999"]) == 2
    assert capsys.readouterr().err == "jeplint: error: no rule 'JEP999'; did you mean JEP405 (transitive-escalation)?\n"
    assert main(["explain", "nothing-like-it"]) == 2
    assert capsys.readouterr().err == "jeplint: error: no rule 'nothing-like-it' (see \"jeplint rules\")\n"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_outside_ci(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "PROGRESS_MIN_FILES", 2)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    terminal = _Tty()
    monkeypatch.setattr(sys, "stderr", terminal)
    main(["scan", "."])
    shown = terminal.getvalue()
    # "parsing" lines (at most ten a second; none when every file comes from a cache), then one line
    # while the graph is analysed, erased at the end.
    assert re.fullmatch(r"(\r\033\[Kjeplint: parsing 1/2 files)?\r\033\[Kjeplint: analysing 2 files\r\033\[K", shown), repr(shown)
    for env in ({"CI": "true"}, {"PRE_COMMIT": "1"}, {"TERM": "dumb"}):
        terminal = _Tty()
        monkeypatch.setattr(sys, "stderr", terminal)
        with monkeypatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            main(["scan", "."])
        assert terminal.getvalue() == ""
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    main(["scan", "."])
    assert piped.getvalue() == ""
    monkeypatch.setattr(cli, "PROGRESS_MIN_FILES", 3)  # fewer files than that: no progress line
    terminal = _Tty()
    monkeypatch.setattr(sys, "stderr", terminal)
    main(["scan", "."])
    assert terminal.getvalue() == ""
    capsys.readouterr()
