"""Graph depth: every way an identity gets privileges, resolved across files, modules and platforms.

Each scenario under testdata/graph is scanned as a whole and must produce exactly the JEP1 findings
annotated in its files; the tests below pin the messages and the graph paths that matter.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import TESTDATA, expectations

from jeplint.run import ScanResult, Settings, scan

GRAPH = TESTDATA / "graph"
SCENARIOS = sorted(p.name for p in GRAPH.iterdir() if p.is_dir())


def _scan(name: str) -> ScanResult:
    """The JEP1 rules are the probes here: other families have their own fixtures."""
    return scan([f"testdata/graph/{name}"], Settings(select=("JEP1",)))


def _by_rule(result: ScanResult, rule: str) -> list:
    return [f for f in result.findings if f.rule_id == rule]


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_matches_annotations(name: str, in_root: Path) -> None:
    result = _scan(name)
    assert not [p for p in result.problems if p.level == "error"], result.problems
    expected: Counter[tuple[str, int, str]] = Counter()
    for path in sorted((GRAPH / name).rglob("*")):
        if path.is_file() and not path.name.endswith(".expect"):
            found, _ = expectations(path)
            rel = path.relative_to(in_root).as_posix()
            expected.update({(rel, line, rule): n for (line, rule), n in found.items()})
    got = Counter((f.span.path, f.span.line, f.rule_id) for f in result.findings)
    assert got == expected, "\n".join(f"{f.span} {f.rule_id} {f.message}" for f in result.findings)


def _related(finding) -> list[tuple[str, int, str]]:
    return [(r.span.path.split("testdata/graph/", 1)[1], r.span.line, r.message) for r in finding.related]


def test_irsa_links_the_serviceaccount_and_its_workload(in_root: Path) -> None:
    (finding,) = _scan("irsa").findings
    assert (
        finding.message
        == 'role orders-api can perform every AWS action ("*") on every resource through policy orders-api, statement 1'
    )
    assert _related(finding)[-2:] == [
        (
            "irsa/serviceaccount.yaml",
            8,
            "serviceaccount shop/orders-api acts as role orders-api through its annotation eks.amazonaws.com/role-arn",
        ),
        ("irsa/serviceaccount.yaml", 13, "Deployment shop/orders-api runs as serviceaccount shop/orders-api"),
    ]


def test_module_input_points_at_the_caller_and_names_the_instance(in_root: Path) -> None:
    result = _scan("modules")
    (finding,) = result.findings
    assert (finding.span.path, finding.span.line, finding.span.col) == ("testdata/graph/modules/root/main.tf", 5, 16)
    assert finding.message.startswith("role batch-worker can perform every s3 action (s3:* = ")
    assert (
        "modules/root/main.tf",
        2,
        "module.batch instantiates testdata/graph/modules/worker and supplies its inputs",
    ) in _related(finding)
    notes = [p for p in result.problems if p.level == "note"]
    assert [(p.path, p.line, p.reason) for p in notes] == [
        (
            "testdata/graph/modules/root/main.tf",
            14,
            "module source terraform-aws-modules/vpc/aws use registry or remote sources, which are outside the scan",
        )
    ]
    roles = sorted(i.name for i in result.graph.identities if i.kind == "role")
    assert roles == ["batch-worker", "reports-worker"]


def test_local_reaches_the_statement_and_lambda_is_a_workload(in_root: Path) -> None:
    (finding,) = _scan("locals").findings
    assert (finding.span.line, finding.span.col, finding.span.end_col) == (3, 20, 27)
    assert ("locals/main.tf", 23, "Lambda function orders-consumer runs as role orders-consumer") in _related(finding)


def test_tfvars_override_the_default(in_root: Path) -> None:
    (finding,) = _scan("tfvars").findings
    assert finding.span.path == "testdata/graph/tfvars/terraform.tfvars"
    assert "user legacy-deployer can perform every lambda action (lambda:* = " in finding.message


def test_file_reads_inside_the_tree_only(in_root: Path) -> None:
    result = _scan("file-policy")
    (finding,) = result.findings
    assert finding.span.path == "testdata/graph/file-policy/policies/ci.json"
    assert finding.message == 'role ci can perform every AWS action ("*") on every resource through policy ci, statement 1'
    escape = next(p for p in result.graph.policies if p.name == "escape")
    assert escape.grants == [] and escape.unresolved.startswith("file(")


def test_data_documents_sources_overrides_and_dynamic(in_root: Path) -> None:
    result = _scan("data-documents")
    app = next(p for p in result.graph.policies if p.key.endswith("aws_iam_role_policy.app"))
    statements = [(g.sid, [v.text for v in g.actions]) for g in app.grants]
    assert statements == [
        ("Logs", ["logs:PutLogEvents"]),
        ("Bucket", ["s3:GetObject"]),  # overridden by sid
        ("", ["dynamodb:GetItem"]),
        ("", ["kms:*"]),
    ]


def test_unresolved_variable_is_never_a_wildcard(in_root: Path) -> None:
    result = _scan("unresolved")
    assert result.findings == []
    (grant,) = next(p for p in result.graph.policies if p.key.endswith("aws_iam_role_policy.job")).grants
    assert [(v.text, v.unresolved) for v in grant.actions] == [(None, "var.actions")]


def test_gcp_service_account_with_basic_roles(in_root: Path) -> None:
    result = _scan("gcp")
    editor, owner = _by_rule(result, "JEP106")
    assert editor.message == (
        "service account ci-deployer holds GCP role roles/editor (write access to nearly every resource) "
        "on project shop-prod through google_project_iam_member.ci_editor"
    )
    assert "on folder folders/1234 through google_folder_iam_policy.folder" in owner.message
    ci = next(i for i in result.graph.identities if i.name == "ci-deployer")
    held = sorted(b.policy.label for b in result.graph.bindings_of(ci))
    assert held == ["GCP role roles/editor", "GCP role roles/owner", "custom role bucketReader"]
    assert [w.kind for w in result.graph.workloads_of(ci)] == ["Compute Engine instance"]


def test_azure_custom_role_and_builtin_owner(in_root: Path) -> None:
    result = _scan("azure")
    (wildcard,) = _by_rule(result, "JEP101")
    assert wildcard.message.startswith('managed identity deployer can perform every Azure action ("*")')
    (owner,) = _by_rule(result, "JEP106")
    assert owner.message.startswith("system-assigned identity of azurerm_linux_web_app.api holds Azure built-in role Owner")


def test_group_members_hold_the_group_policies(in_root: Path) -> None:
    result = _scan("groups")
    messages = sorted(f.message for f in result.findings)
    assert messages == [
        "group ops holds AWS managed policy AdministratorAccess (every action on every resource) through aws_iam_group_policy_attachment.ops_admin",
        "user ops-robot holds AWS managed policy AdministratorAccess (every action on every resource) through aws_iam_user_group_membership.robot (member of group ops)",
    ]


def test_sam_templates_memberships_and_instance_profiles(in_root: Path) -> None:
    result = _scan("cfn-sam")
    function = next(i for i in result.graph.identities if i.name.startswith("ResizeFunctionRole"))
    policies = {b.policy.name: b.policy for b in result.graph.bindings_of(function)}
    assert sorted(policies) == ["AWSLambdaBasicExecutionRole", "ResizeFunction policy 2", "SAM S3ReadPolicy"]
    (read,) = policies["SAM S3ReadPolicy"].grants
    assert [v.text for v in read.resources] == ["arn:aws:s3:::uploads", "arn:aws:s3:::uploads/*"]
    host = next(i for i in result.graph.identities if i.name == "batch-host")
    assert [(w.kind, w.name) for w in result.graph.workloads_of(host)] == [("EC2 instance", "Host")]
    robot = next(f for f in result.findings if f.message.startswith("user ops-robot"))
    assert robot.message == (
        "user ops-robot holds AWS managed policy IAMFullAccess (full IAM administration (iam:*)) "
        "through Groups of Robot (member of group Operators)"
    )


def test_conditions_and_boundaries_lower_the_level(in_root: Path) -> None:
    result = _scan("conditions")
    assert [(f.span.line, f.rule_id, f.level) for f in result.findings] == [(21, "JEP105", "note")]  # JEP102 defers to JEP105
    assert result.findings[0].message.endswith(
        "through policy aws_iam_role_policy.pass, statement 1 "
        "(limited by condition iam:PassedToService; capped by permissions boundary policy deploy-boundary)"
    )


def test_graph_command_json_dot_mermaid(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from jeplint.catalog import aws_actions
    from jeplint.cli import main

    assert main(["graph", "testdata/graph/irsa"]) == 0
    inventory = json.loads(capsys.readouterr().out)
    assert inventory["schema"] == "jeplint-graph/1"
    role = next(i for i in inventory["identities"] if i["name"] == "orders-api" and i["platform"] == "aws")
    services = role["effective"]["services"]
    assert role["effective"]["actions"] == sum(s["actions"] for s in services.values()) > 20000
    assert services["s3"]["actions"] == len(aws_actions.service("s3") or {})
    assert role["acted_as_by"][0]["identity"] == "sa:shop/orders-api"
    sa = next(i for i in inventory["identities"] if i["identity"] == "sa:shop/orders-api")
    assert sa["workloads"][0]["kind"] == "Deployment"
    assert main(["graph", "testdata/graph/irsa", "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("digraph jeplint {") and '[style=dotted, label="acts as"]' in dot
    assert main(["graph", "testdata/graph/irsa", "--format", "mermaid"]) == 0
    mermaid = capsys.readouterr().out
    assert mermaid.startswith("flowchart LR\n") and "-.->|acts as|" in mermaid


def test_effective_permissions_subtract_denies_and_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jeplint.catalog import aws_actions
    from jeplint.graph.effective import effective

    monkeypatch.chdir(tmp_path)
    Path("main.tf").write_text(
        """
resource "aws_iam_role" "r" {
  name                 = "r"
  assume_role_policy   = "{}"
  permissions_boundary = aws_iam_policy.cap.arn
}
resource "aws_iam_policy" "cap" {
  name   = "cap"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["s3:*", "sqs:SendMessage"], Resource = "*" }] })
}
resource "aws_iam_role_policy" "p" {
  role = aws_iam_role.r.id
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = ["s3:*", "ec2:*"], Resource = "*" },
    { Effect = "Deny", Action = ["s3:Delete*"], Resource = "*" },
  ] })
}
"""
    )
    result = scan(["."])
    role = next(i for i in result.graph.identities if i.name == "r")
    eff = effective(result.graph, role)
    s3 = aws_actions.service("s3") or {}
    deletes = [a for k, a in s3.items() if k.startswith("delete")]
    assert eff.actions == {a.full for a in s3.values()} - {a.full for a in deletes}  # ec2 capped by the boundary
    assert eff.by_service()["s3"]["actions"] == len(s3) - len(deletes)


def test_kubernetes_aggregation_and_builtin_roles(in_root: Path) -> None:
    from jeplint.graph.effective import effective

    result = _scan("k8s-aggregation")
    accounts = {i.name: i for i in result.graph.identities if i.kind == "serviceaccount"}
    prometheus = effective(result.graph, accounts["monitoring/prometheus"]).actions
    assert prometheus == {
        "get metrics.k8s.io/pods",
        "list metrics.k8s.io/pods",
        "get metrics.k8s.io/nodes",
        "list metrics.k8s.io/nodes",
    }
    dashboard = effective(result.graph, accounts["apps/dashboard"]).actions
    assert "list stable.example.com/crontabs" in dashboard  # aggregated into the built-in view
    assert "get /pods" in dashboard and "get /secrets" not in dashboard
    deployer = effective(result.graph, accounts["apps/deployer"]).actions
    assert {"create /pods/exec", "get /secrets", "create /serviceaccounts/token", "list stable.example.com/crontabs"} <= deployer
    assert "create rbac.authorization.k8s.io/rolebindings" not in deployer  # that is admin's


def test_kubernetes_wildcards_expand_against_the_catalogue(in_root: Path) -> None:
    from jeplint.catalog.k8s import all_permissions, expand

    everything = expand(["*"], ["apps"], ["*"])
    assert {"create apps/deployments", "delete apps/statefulsets", "* apps/*"} <= everything
    assert all(p.split(" ", 1)[1].startswith("apps/") for p in everything)
    assert len(all_permissions()) == 745  # Kubernetes 1.37: 133 resources with their verbs, plus special verbs
