"""A policy that no identity in the scan holds: linked where the scan holds the reference (SSO
customer managed policy references, `data "aws_iam_policy"` by name, an attachment whose role is a
remote module's output, a Helm-templated RoleBinding subject), and otherwise said precisely where
it leaves the scan. Fixtures: testdata/terraform-outside (hand-written, several roots)."""

from __future__ import annotations

from pathlib import Path

from jeplint.run import scan

BASE = "testdata/terraform-outside"
# iam-assumable-role is a registry module jeplint models from its inputs; `policy_arn` is not one
UNREAD = (
    "passed to module.scheduler_access (terraform-aws-modules/iam/aws//modules/iam-assumable-role) as input "
    "policy_arn, which jeplint's model of that registry module does not read"
)


def _clause(message: str) -> str:
    """The part of a message that says who holds the policy."""
    at = message.find("; it is attached")
    return message[at + 2 :] if at >= 0 else message[: message.find(" can ")]


def test_holders_found_or_where_the_policy_leaves_the_scan(in_root: Path) -> None:
    result = scan([BASE])
    got = [
        (f.rule_id, f.span.path.removeprefix(BASE + "/"), f.span.line, f.span.col, _clause(f.message)) for f in result.findings
    ]
    oidc = "module.ci_role (github.com/example/terraform-github-oidc-role?ref=v1.0.0)"
    assert got == [
        ("JEP104", "helm/templates/clusterrole.yaml", 8, 13, "serviceaccount {{ .Values.name }} (namespace set at apply)"),
        (
            "JEP105",
            "library/modules/policy/main.tf",
            5,
            72,
            f"it is attached outside the scan: returned by output policy_arn of {BASE}/library, which nothing in the scan calls",
        ),
        (
            "JEP401",
            "member/main.tf",
            7,
            18,
            f"it is attached outside the scan: passed to {oidc}, whose source is not in the scan",
        ),
        (
            "JEP105",
            "member/main.tf",
            8,
            18,
            f"it is attached outside the scan: passed to {oidc}, whose source is not in the scan",
        ),
        ("JEP401", "member/main.tf", 22, 47, f"it is attached outside the scan: {UNREAD}"),
        ("JEP105", "member/main.tf", 22, 67, f"it is attached outside the scan: {UNREAD}"),
        ("JEP105", "member/main.tf", 37, 66, "role module.guard_role.name (an output of module.guard_role, not in the scan)"),
        ("JEP105", "policies/main.tf", 8, 67, "permission set developer"),
        (
            "JEP105",
            "policies/main.tf",
            16,
            67,
            f"it is attached outside the scan: read by data.aws_iam_policy.upload of {BASE}/member and passed to "
            "module.upload_role (github.com/example/cross-account-access?ref=v4.0.0), whose source is not in the scan",
        ),
        # Negative: nothing refers to it anywhere in the scan.
        ("JEP105", "policies/main.tf", 24, 67, "it is attached to no identity in the scan"),
        ("JEP105", "policies/main.tf", 32, 67, "role reader"),
        ("JEP401", "sso/main.tf", 1, 40, "permission set developer"),
    ]
    sso = [b for b in result.graph.bindings if b.via.startswith("aws_ssoadmin")]
    assert [(b.identity.label, b.policy.name, b.span.line, b.span.col) for b in sso] == [
        ("permission set developer", "developer_policy", 10, 12)
    ]
    # A name the scan does not declare is said, not dropped.
    assert [(s.path, s.line, c, m) for s, c, m in result.graph.unresolved if c == "policy declared outside the scan"] == [
        (
            f"{BASE}/sso/main.tf",
            19,
            "policy declared outside the scan",
            "IAM reference not resolved: the customer managed policy /not_in_this_scan (no aws_iam_policy of that name in the scan)",
        )
    ]


def test_document_read_through_a_local_by_a_local_module_is_used_not_unattached(tmp_path: Path, monkeypatch) -> None:
    """Negative for the remote-only rule: a local that a resource of the module reads is a use."""
    (tmp_path / "main.tf").write_text(
        "locals {\n  docs = data.aws_iam_policy_document.ci.json\n}\n\n"
        'data "aws_iam_policy_document" "ci" {\n  statement {\n    actions   = ["lambda:*"]\n    resources = ["*"]\n  }\n}\n\n'
        'resource "aws_iam_role" "ci" {\n  name               = "ci"\n  assume_role_policy = "{}"\n}\n\n'
        'resource "aws_iam_role_policy" "ci" {\n  role   = aws_iam_role.ci.name\n  policy = local.docs\n}\n\n'
        'module "other" {\n  source = "git::https://example.com/m.git"\n  policy = local.docs\n}\n'
    )
    monkeypatch.chdir(tmp_path)
    result = scan(["."])
    assert [(f.rule_id, f.span.line, _clause(f.message)) for f in result.findings] == [
        ("JEP105", 8, "role ci"),
        ("JEP401", 12, "role ci"),
    ]  # once, through the role: not again as a document passed to module.other
