"""Plan and state JSON (`terraform show -json`): recognised by content, every resource instance in
the graph with its address, "known after apply" unknown, a bad format_version reported (exit 2).
The files in testdata/terraform-plan are hand-written in Terraform's documented JSON format."""

from __future__ import annotations

from pathlib import Path

from jeplint.cli import main
from jeplint.parse import TERRAFORM_PLAN, parse_file
from jeplint.run import scan

BASE = "testdata/terraform-plan"
ADMIN = "holds AWS managed policy AdministratorAccess (every action on every resource) through"


def test_plan_instances_child_modules_and_after_unknown(in_root: Path) -> None:
    result = scan([f"{BASE}/plan"])
    got = [(f.rule_id, f.span.line, f.span.col) for f in result.findings]
    # one finding per root cause: s3:* on "*" is JEP105's statement (JEP102 defers), and the
    # identity administration of IAMFullAccess is JEP106's binding (JEP301 defers)
    assert got == [("JEP106", 31, 27), ("JEP105", 66, 110), ("JEP106", 96, 35)]
    assert result.findings[0].message == f'role ci-deploy {ADMIN} aws_iam_role_policy_attachment.ci["deploy"]'
    assert result.findings[-1].message == (
        "role app holds AWS managed policy IAMFullAccess (full IAM administration (iam:*)) through "
        "module.app.module.irsa.aws_iam_role_policy_attachment.admin"
    )
    keys = sorted(i.key for i in result.graph.identities if i.span is not None)
    assert keys == [
        'testdata/terraform-plan/plan/tfplan.json/aws_iam_role.ci["deploy"]',
        "testdata/terraform-plan/plan/tfplan.json/aws_iam_role.this[0]@module.app",
    ]
    # The role of module.app.aws_iam_role_policy_attachment.late[0] is known after apply: said, not guessed.
    assert [(p.line, p.col, p.reason) for p in result.problems] == [
        (125, 19, "IAM reference not resolved: the role named by (known after apply)")
    ]
    assert [c for _s, c, _m in result.graph.unresolved] == ["unknown value"]


def test_state_json(in_root: Path) -> None:
    result = scan([f"{BASE}/state"])
    assert [(f.rule_id, f.span.line, f.span.col, f.message) for f in result.findings] == [
        ("JEP106", 27, 27, f"user legacy {ADMIN} aws_iam_user_policy_attachment.legacy")
    ]


def test_recognised_by_content_whatever_the_name(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[1] / BASE / "state" / "state.json"
    target = tmp_path / "output.txt.json"
    target.write_text(source.read_text())
    assert parse_file(str(target), "output.txt.json").kind == TERRAFORM_PLAN


BAD_VERSION = '{\n  "format_version": "2.0",\n  "planned_values": {\n    "root_module": {}\n  }\n}\n'
MALFORMED = (
    '{\n  "format_version": "1.2",\n  "planned_values": {\n    "root_module": {\n      "resources": [\n'
    '        {"address": "aws_iam_role.x", "mode": "managed", "type": "aws_iam_role", "name": "x",}\n'
    "      ]\n    }\n  }\n}\n"
)


def test_unknown_format_version_and_malformed_plan_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    """Written here, not in testdata: a scan of testdata must stay free of broken inputs."""
    state = (Path(__file__).resolve().parents[1] / BASE / "state" / "state.json").read_text()
    for name, text in (("bad_version/tfplan.json", BAD_VERSION), ("malformed/tfplan.json", MALFORMED), ("state/s.json", state)):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "--no-cache", "bad_version", "state"]) == 2
    err = capsys.readouterr().err
    assert "bad_version/tfplan.json:2:21: error: unsupported Terraform JSON format_version 2.0 (jeplint reads 1.x)" in err
    assert main(["scan", "--no-cache", "malformed"]) == 2
    assert "malformed/tfplan.json:6:94: error: expected a string object key" in capsys.readouterr().err
    result = scan(["bad_version", "state"])
    assert [f.rule_id for f in result.findings] == ["JEP106"]  # the other file's findings are kept


SOURCE = f"{BASE}/with-source"


def test_plan_with_its_source_is_located_at_the_source_once(in_root: Path) -> None:
    """A plan next to the .tf files of its root: each finding once, at the source block, with the
    plan's entry as a related location. The plan's variables expand `for_each = var.pipelines`;
    instances only the plan knows (a for_each over a data source) are read from the plan but
    located at the source; a registry module that is not in the scan stays in the plan JSON."""
    result = scan([SOURCE])
    got = [(f.rule_id, f.span.path, f.span.line, f.span.col) for f in result.findings]
    assert got == [
        ("JEP106", f"{SOURCE}/main.tf", 17, 16),
        ("JEP106", f"{SOURCE}/main.tf", 27, 16),
        ("JEP106", f"{SOURCE}/modules/app/irsa/main.tf", 7, 16),
        ("JEP105", f"{SOURCE}/modules/app/main.tf", 18, 66),
        ("JEP106", f"{SOURCE}/tfplan.json", 151, 31),
    ]
    plan = f"{SOURCE}/tfplan.json"
    related = [[(r.span.path, r.span.line, r.message) for r in f.related if r.span.path == plan] for f in result.findings]
    assert related[0] == [
        (plan, 57, 'the plan\'s aws_iam_role_policy_attachment.ci["deploy"]'),
        (plan, 15, 'the plan\'s aws_iam_role.ci["deploy"]'),
    ]
    assert related[1] == [
        (plan, 29, 'the plan\'s aws_iam_role_policy_attachment.breakglass["breakglass-alice"]'),
        (plan, 43, 'the plan\'s aws_iam_role_policy_attachment.breakglass["breakglass-bob"]'),
    ]
    assert related[3] == [
        (plan, 90, "the plan's module.app.aws_iam_role_policy.this[0]"),
        (plan, 76, "the plan's module.app.aws_iam_role.this[0]"),
    ]
    assert related[4] == [
        (
            plan,
            151,
            "module.ops.aws_iam_role_policy_attachment.custom[0] binds AWS managed policy AdministratorAccess to role ops",
        ),
        (plan, 129, "role ops is declared here"),
    ]
    # One identity per role, not one from the plan and one from the source.
    declared = sorted(i.key.removeprefix(SOURCE + "/") for i in result.graph.identities)
    assert declared == [
        'aws_iam_role.ci["deploy"]',
        "external:aws:role:breakglass-alice",
        "external:aws:role:breakglass-bob",
        "modules/app/aws_iam_role.this[0]@module.app",
        "tfplan.json/aws_iam_role.this[0]@module.ops",
    ]
    assert sorted(b.via for b in result.graph.bindings) == [
        'aws_iam_role_policy_attachment.breakglass["breakglass-alice"]',
        'aws_iam_role_policy_attachment.breakglass["breakglass-bob"]',
        'aws_iam_role_policy_attachment.ci["deploy"]',
        "module.app.aws_iam_role_policy.this[0]",
        "module.app.module.irsa.aws_iam_role_policy_attachment.admin",
        "module.ops.aws_iam_role_policy_attachment.custom[0]",
    ]
    # What the source alone cannot expand is not said once the plan tells it; the registry module is.
    assert [c for _s, c, _m in result.graph.unresolved] == ["registry modules not in the scan"]


def test_plan_alone_stays_in_the_plan(in_root: Path) -> None:
    result = scan([f"{SOURCE}/tfplan.json"])
    assert {f.span.path for f in result.findings} == {f"{SOURCE}/tfplan.json"}
    assert [(f.rule_id, f.span.line) for f in result.findings if f.rule_id == "JEP106"] == [
        ("JEP106", 37),
        ("JEP106", 51),
        ("JEP106", 65),
        ("JEP106", 116),
        ("JEP106", 151),
    ]


def test_source_alone_says_what_it_cannot_expand(in_root: Path) -> None:
    result = scan([f"{SOURCE}/main.tf", f"{SOURCE}/modules"])
    assert "unknown for_each" in [c for _s, c, _m in result.graph.unresolved]
    assert all(f.span.path.endswith(".tf") for f in result.findings)
