"""Escalation and trust (JEP401-JEP405): the scenarios in testdata/escalation, the narrowing rules
(resource scope, conditions, boundaries, Deny, time bounds), what is left to other rules, the trust
principals the graph now records, and the shipped combination data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jeplint.catalog.escalation import aws_paths, covers, gcp_paths, rbac_risks
from jeplint.report.json_report import report
from jeplint.rules.base import Finding
from jeplint.run import Settings, scan


def run(tmp_path: Path, files: dict[str, str], select: str = "JEP4") -> list[Finding]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = scan([str(tmp_path)], Settings(select=(select,)))
    assert not [p for p in result.problems if p.level == "error"], result.problems
    return result.findings


def brief(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.rule_id, f.span.line, f.level) for f in findings]


def policy_tf(
    actions: list[str],
    resource: object = "*",
    condition: dict | None = None,
    kind: str = "role",
    extra: str = "",
    more: list[dict] | None = None,
) -> str:
    """One identity (`kind` role or user) named `app` with one inline policy: a statement of
    `actions` on `resource`, then the `more` statements."""
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement, *(more or [])]})
    trust = '\n  assume_role_policy = "{}"' if kind == "role" else ""
    return (
        f'resource "aws_iam_{kind}" "app" {{\n  name = "app"{trust}\n{extra}}}\n\n'
        f'resource "aws_iam_{kind}_policy" "app" {{\n  name = "app"\n  {kind} = aws_iam_{kind}.app.id\n  policy = <<EOF\n{document}\nEOF\n}}\n'
    )


# -- scenarios ----------------------------------------------------------------------------------


def test_role_chain_across_files(in_root: Path) -> None:
    findings = [f for f in scan(["testdata/escalation/chain"]).findings if f.rule_id == "JEP405"]
    ci = next(f for f in findings if f.span.path.endswith("ci.tf"))
    assert ci.message == (
        "role ci can escalate to administrator by assuming roles (role ci → role deploy-hop → role platform-admin): "
        "role platform-admin can perform nearly every AWS action (AWS managed policy AdministratorAccess)"
    )
    assert (ci.level, ci.span.line, ci.span.col) == ("error", 2, 25)
    assert [(r.span.path.rsplit("/", 1)[-1], r.span.line, r.message) for r in ci.related] == [
        ("ci.tf", 15, "step 1: role ci may call sts:AssumeRole on role deploy-hop (policy hop, statement 1)"),
        ("hop.tf", 6, "step 1: the trust policy of role deploy-hop admits role ci"),
        ("hop.tf", 15, "step 2: role deploy-hop may call sts:AssumeRole on role platform-admin (policy to-admin, statement 1)"),
        ("admin.tf", 6, "step 2: the trust policy of role platform-admin admits role deploy-hop"),
        ("admin.tf", 12, "role platform-admin holds AWS managed policy AdministratorAccess"),
        ("ci.tf", 2, "role ci is declared here"),
    ]
    hop = next(f for f in findings if f.span.path.endswith("hop.tf"))
    assert "(role deploy-hop → role platform-admin)" in hop.message
    assert len(findings) == 2  # platform-admin is administrator: JEP106's, not a chain


def test_cloudformation_chain_and_json_string_trust(in_root: Path) -> None:
    result = scan(["testdata/escalation/cfn"], Settings(select=("JEP4",)))
    assert brief(result.findings) == [("JEP405", 4, "error"), ("JEP401", 23, "error"), ("JEP404", 46, "error")]
    chain = result.findings[0]
    assert chain.message.startswith(
        "role builder can escalate to administrator by assuming roles (role builder → role release): "
        "role release can escalate: iam:PutRolePolicy on * lets it write an inline policy on any role"
    )
    publisher = next(i for i in result.graph.identities if i.name == "publisher")
    assert publisher.trust is not None
    (grant,) = publisher.trust.grants
    # A trust policy written as a JSON string is read; its values point at the whole string.
    assert [v.text for v in grant.principals] == [
        "Federated:arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    ]
    assert grant.principals[0].span.line == 46


# -- JEP401: narrowing, and what is left to other rules -------------------------------------------

PASS_LAMBDA = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
LAMBDA = [{"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}]


@pytest.mark.parametrize(
    ("resource", "condition", "expected"),
    [
        ("*", None, "error"),
        ("arn:aws:iam::123456789012:role/orders", None, "warning"),
        ("*", {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}, "warning"),
        ("arn:aws:iam::123456789012:role/orders", {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}, None),
        ("arn:aws:iam::123456789012:role/*", None, "error"),
        ("*", {"DateLessThan": {"aws:CurrentTime": "2026-12-31T00:00:00Z"}}, None),
    ],
)
def test_passrole_narrowing(tmp_path: Path, resource: str, condition: dict | None, expected: str | None) -> None:
    findings = [
        f
        for f in run(tmp_path, {"main.tf": policy_tf(["iam:PassRole"], resource, condition, more=LAMBDA)})
        if f.rule_id == "JEP401"
    ]
    assert [f.level for f in findings] == ([expected] if expected else [])


def test_statement_whose_resources_are_of_another_type_grants_nothing(tmp_path: Path) -> None:
    """lambda:CreateFunction on a role ARN names nothing Lambda acts on."""
    assert run(tmp_path, {"main.tf": policy_tf(PASS_LAMBDA, "arn:aws:iam::123456789012:role/orders")}) == []


def test_message_names_each_statement_and_condition(tmp_path: Path) -> None:
    condition = {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    (finding,) = run(tmp_path, {"main.tf": policy_tf(PASS_LAMBDA, "*", condition)})
    assert finding.message == (
        "role app can escalate its privileges: iam:PassRole on * + lambda:CreateFunction + lambda:InvokeFunction lets it run "
        "code as any role it can pass, in a new Lambda function (policy app, statement 1; limited by condition iam:PassedToService)"
    )
    assert [r.message for r in finding.related[:3]] == [
        "iam:PassRole for path lambda-001: policy app, statement 1",
        "lambda:CreateFunction for path lambda-001: policy app, statement 1",
        "lambda:InvokeFunction for path lambda-001: policy app, statement 1",
    ]


def test_unconditional_deny_removes_the_path(tmp_path: Path) -> None:
    deny = json.dumps({"Statement": [{"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]})
    extra = f'resource "aws_iam_role_policy" "deny" {{\n  role = aws_iam_role.app.id\n  policy = <<EOF\n{deny}\nEOF\n}}\n'
    assert run(tmp_path, {"main.tf": policy_tf(PASS_LAMBDA) + extra}) == []


def test_boundary_lowers_the_level(tmp_path: Path) -> None:
    boundary = '  permissions_boundary = "arn:aws:iam::aws:policy/AdministratorAccess"\n'
    (finding,) = run(tmp_path, {"main.tf": policy_tf(["iam:PutRolePolicy"], extra=boundary)})
    assert finding.level == "warning"
    assert finding.message.endswith(
        "(policy app, statement 1; capped by permissions boundary AWS managed policy AdministratorAccess)"
    )


@pytest.mark.parametrize(
    ("actions", "resource", "why"),
    [
        (["*"], "*", "already administrator: JEP101"),
        (["iam:CreateAccessKey", "iam:UpdateLoginProfile"], "arn:aws:iam::*:user/${aws:username}", "its own keys and password"),
        (
            ["codebuild:StartBuild"],
            "arn:aws:codebuild:eu-west-1:123456789012:report-group/build-*",
            "a report group is not a project",
        ),
        (
            ["lambda:UpdateFunctionCode"],
            "arn:aws:lambda:eu-west-1:123456789012:function:orders",
            "one named function: below warning",
        ),
    ],
)
def test_not_an_escalation(tmp_path: Path, actions: list[str], resource: str, why: str) -> None:
    text = policy_tf(actions, resource, kind="user").replace("${", "$${")
    assert [f for f in run(tmp_path, {"main.tf": text}) if f.rule_id == "JEP401"] == [], why


def test_broad_managed_policy_is_left_to_jep106(tmp_path: Path) -> None:
    text = (
        'resource "aws_iam_role" "app" {\n  name = "app"\n  assume_role_policy = "{}"\n'
        '  managed_policy_arns = ["arn:aws:iam::aws:policy/IAMFullAccess"]\n}\n'
    )
    assert [f.rule_id for f in run(tmp_path, {"main.tf": text}, "JEP")] == ["JEP106"]


def test_group_is_reported_not_each_member(tmp_path: Path) -> None:
    document = json.dumps({"Statement": [{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}]})
    text = (
        'resource "aws_iam_group" "ops" {\n  name = "ops"\n}\n'
        f'resource "aws_iam_group_policy" "ops" {{\n  group = aws_iam_group.ops.name\n  policy = <<EOF\n{document}\nEOF\n}}\n'
        'resource "aws_iam_user" "bot" {\n  name = "bot"\n}\n'
        'resource "aws_iam_user_group_membership" "bot" {\n  user   = aws_iam_user.bot.name\n  groups = [aws_iam_group.ops.name]\n}\n'
    )
    (finding,) = run(tmp_path, {"main.tf": text})
    assert finding.message.startswith("group ops can escalate to administrator: iam:AttachUserPolicy on *")


def test_fingerprint_survives_moved_lines(tmp_path: Path) -> None:
    text = policy_tf(["iam:PutRolePolicy"])
    (before,) = run(tmp_path, {"main.tf": text})
    (after,) = run(tmp_path, {"main.tf": "# moved\n\n" + text})
    assert after.span.line == before.span.line + 2 and after.fingerprint == before.fingerprint


# -- JEP402 ----------------------------------------------------------------------------------------

RBAC = """apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: r
  namespace: {namespace}
rules:
{rules}---
apiVersion: rbac.authorization.k8s.io/v1
kind: {binding}
metadata:
  name: b
  namespace: {namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {kind}
  name: r
subjects:
  - kind: ServiceAccount
    name: app
    namespace: {namespace}
"""


def rbac(rules: str, namespace: str = "shop", kind: str = "Role") -> dict[str, str]:
    binding = "RoleBinding" if kind == "Role" else "ClusterRoleBinding"
    return {"rbac.yaml": RBAC.format(kind=kind, namespace=namespace, rules=rules, binding=binding)}


POD_CREATE = '  - apiGroups: [""]\n    resources: ["pods"]\n    verbs: ["create"]\n'


@pytest.mark.parametrize(
    ("rules", "namespace", "kind", "expected"),
    [
        (POD_CREATE, "shop", "Role", [("JEP402", 9, "warning")]),
        (
            '  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ["list"]\n',
            "shop",
            "ClusterRole",
            [("JEP402", 9, "error")],
        ),
        (
            '  - apiGroups: [""]\n    resources: ["pods/exec"]\n    verbs: ["get"]\n',
            "kube-system",
            "Role",
            [("JEP402", 9, "error")],
        ),
        (
            '  - apiGroups: [""]\n    resources: ["secrets"]\n    resourceNames: ["app-db"]\n    verbs: ["get"]\n',
            "shop",
            "Role",
            [],
        ),
        (
            '  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["list", "watch"]\n',
            "shop",
            "ClusterRole",
            [("JEP402", 9, "error")],
        ),
        ('  - apiGroups: [""]\n    resources: ["nodes/proxy"]\n    verbs: ["get"]\n', "shop", "Role", []),
        (
            '  - apiGroups: ["rbac.authorization.k8s.io"]\n    resources: ["rolebindings"]\n    verbs: ["create"]\n',
            "shop",
            "Role",
            [],
        ),
        (
            '  - apiGroups: ["certificates.k8s.io"]\n    resources: ["certificatesigningrequests/approval"]\n    verbs: ["update"]\n',
            "shop",
            "ClusterRole",
            [],
        ),
    ],
)
def test_rbac_risks_by_scope(tmp_path: Path, rules: str, namespace: str, kind: str, expected: list) -> None:
    assert brief(run(tmp_path, rbac(rules, namespace, kind))) == expected


def test_csr_approval_needs_the_signer_too(tmp_path: Path) -> None:
    rules = (
        '  - apiGroups: ["certificates.k8s.io"]\n    resources: ["certificatesigningrequests/approval"]\n    verbs: ["update"]\n'
        '  - apiGroups: ["certificates.k8s.io"]\n    resources: ["signers"]\n    verbs: ["approve"]\n'
    )
    (finding,) = run(tmp_path, rbac(rules, kind="ClusterRole"))
    assert finding.message == (
        "serviceaccount shop/app can escalate its privileges cluster-wide through ClusterRole r, rule 1: approve certificates "
        "(update) lets it approve certificate signing requests and issue itself client certificates for any user"
    )


def test_wildcard_rules_are_left_to_jep104(tmp_path: Path) -> None:
    rules = '  - apiGroups: [""]\n    resources: ["pods"]\n    verbs: ["*"]\n'
    assert [f.rule_id for f in run(tmp_path, rbac(rules), "JEP")] == ["JEP104"]


# -- JEP403 ----------------------------------------------------------------------------------------

GCP = """resource "google_service_account" "ci" {{
  account_id = "ci-runner"
}}

resource "{resource}" "b" {{
  {scope}
  role   = "{role}"
  member = "{member}"
{condition}}}
"""


@pytest.mark.parametrize(
    ("resource", "scope", "role", "member", "condition", "expected"),
    [
        (
            "google_project_iam_member",
            'project = "p"',
            "roles/iam.serviceAccountTokenCreator",
            "serviceAccount:${google_service_account.ci.email}",
            "",
            [("JEP403", 1, "error")],
        ),
        (
            "google_service_account_iam_member",
            'service_account_id = "projects/p/serviceAccounts/x@p.iam.gserviceaccount.com"',
            "roles/iam.serviceAccountTokenCreator",
            "serviceAccount:${google_service_account.ci.email}",
            "",
            [("JEP403", 1, "warning")],
        ),
        (
            "google_project_iam_member",
            'project = "p"',
            "roles/iam.serviceAccountTokenCreator",
            "serviceAccount:${google_service_account.ci.email}",
            '  condition {\n    title = "t"\n    expression = "request.time < timestamp(\\"2026-12-31T00:00:00Z\\")"\n  }\n',
            [],
        ),
        # issue 14: a person with token creation on the whole project can become every service account of it
        (
            "google_project_iam_member",
            'project = "p"',
            "roles/iam.serviceAccountTokenCreator",
            "user:jane@example.com",
            "",
            [("JEP403", 7, "error")],
        ),
        (
            "google_service_account_iam_member",
            'service_account_id = "projects/p/serviceAccounts/x@p.iam.gserviceaccount.com"',
            "roles/iam.serviceAccountTokenCreator",
            "user:jane@example.com",
            "",
            [],
        ),
        (
            "google_project_iam_member",
            'project = "p"',
            "roles/owner",
            "serviceAccount:${google_service_account.ci.email}",
            "",
            [("JEP403", 1, "error")],  # JEP106 is not selected: nothing else reports the owner binding
        ),
    ],
)
def test_gcp_scope_condition_people_and_basic_roles(
    tmp_path: Path, resource: str, scope: str, role: str, member: str, condition: str, expected: list
) -> None:
    text = GCP.format(resource=resource, scope=scope, role=role, member=member, condition=condition)
    assert brief(run(tmp_path, {"main.tf": text})) == expected


def test_gcp_folder_permissions_held_on_a_project_do_not_count(tmp_path: Path) -> None:
    text = GCP.format(
        resource="google_project_iam_member",
        scope='project = "p"',
        role="roles/iam.securityAdmin",
        member="serviceAccount:${google_service_account.ci.email}",
        condition="",
    )
    (finding,) = run(tmp_path, {"main.tf": text})
    assert "resourcemanager.projects.setIamPolicy on project p" in finding.message
    assert "folders.setIamPolicy" not in finding.message and "organizations.setIamPolicy" not in finding.message


def test_azure_role_assignment_write_on_a_resource_group_is_a_warning(tmp_path: Path) -> None:
    text = (
        'resource "azurerm_user_assigned_identity" "app" {\n  name = "app"\n  resource_group_name = "rg"\n  location = "westeurope"\n}\n'
        'resource "azurerm_role_assignment" "app" {\n  scope = "/subscriptions/0/resourceGroups/rg"\n'
        '  role_definition_name = "Role Based Access Control Administrator"\n  principal_id = azurerm_user_assigned_identity.app.principal_id\n}\n'
    )
    (finding,) = run(tmp_path, {"main.tf": text})
    assert finding.level == "warning"
    assert "Microsoft.Authorization/roleAssignments/write on /subscriptions/0/resourceGroups/rg" in finding.message


# -- JEP404 ----------------------------------------------------------------------------------------


def trust_tf(principal: str, condition: str = "") -> str:
    return (
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = data.aws_iam_policy_document.t.json\n}\n'
        'data "aws_iam_policy_document" "t" {\n  statement {\n    actions = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]\n'
        f"    principals {{\n      {principal}\n    }}\n{condition}  }}\n}}\n"
    )


def condition(variable: str, values: str, test: str = "StringEquals") -> str:
    return f'    condition {{\n      test     = "{test}"\n      variable = "{variable}"\n      values   = {values}\n    }}\n'


GITHUB = 'type = "Federated"\n      identifiers = ["arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"]'
ROOT = 'type = "AWS"\n      identifiers = ["arn:aws:iam::210987654321:root"]'


@pytest.mark.parametrize(
    ("principal", "conditions", "expected"),
    [
        (GITHUB, condition("token.actions.githubusercontent.com:sub", '["repo:*"]', "StringLike"), "error"),
        (GITHUB, condition("token.actions.githubusercontent.com:sub", '["repo:acme/*"]', "StringLike"), "warning"),
        (GITHUB, condition("token.actions.githubusercontent.com:sub", '["repo:acme/shop:environment:prod"]'), None),
        (
            GITHUB,
            (
                '    dynamic "condition" {\n      for_each = var.subjects\n      content {\n        test = "StringLike"\n'
                '        variable = "token.actions.githubusercontent.com:sub"\n        values = condition.value\n      }\n    }\n'
            ),
            None,
        ),
        (ROOT, "", "warning"),
        (ROOT, condition("sts:ExternalId", '[""]'), "warning"),
        (ROOT, condition("aws:MultiFactorAuthPresent", '["true"]', "Bool"), None),
        # pinned to a named organisation, OU path or accounts: the documented organisation-wide trust
        ('type = "AWS"\n      identifiers = ["*"]', condition("aws:PrincipalOrgID", '["o-abc"]'), None),
        (
            'type = "AWS"\n      identifiers = ["*"]',
            condition("aws:PrincipalOrgPaths", '["o-abc/r-1/ou-2/*"]', "ForAnyValue:StringLike"),
            None,
        ),
        ('type = "AWS"\n      identifiers = ["*"]', condition("aws:PrincipalOrgID", '["*"]', "StringLike"), "warning"),
        ('type = "AWS"\n      identifiers = ["*"]', condition("aws:SourceIp", '["203.0.113.0/24"]', "IpAddress"), "warning"),
        (
            'type = "AWS"\n      identifiers = ["*"]',
            condition("aws:PrincipalArn", '["arn:aws:iam::*:role/deployer"]', "ArnLike"),
            None,
        ),
        (
            'type = "Federated"\n      identifiers = ["arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"]',
            "",
            "warning",
        ),
    ],
)
def test_trust_conditions(tmp_path: Path, principal: str, conditions: str, expected: str | None) -> None:
    findings = run(tmp_path, {"main.tf": trust_tf(principal, conditions)})
    assert [f.level for f in findings] == ([expected] if expected else [])


def test_dynamic_sub_condition_is_expanded(tmp_path: Path) -> None:
    dynamic = (
        '    dynamic "condition" {\n      for_each = ["repo:*"]\n      content {\n        test = "StringLike"\n'
        '        variable = "token.actions.githubusercontent.com:sub"\n        values = [condition.value]\n      }\n    }\n'
    )
    (finding,) = run(tmp_path, {"main.tf": trust_tf(GITHUB, dynamic)})
    assert finding.message.endswith(
        "with sub like repo:* (and no aud condition): a workflow of any repository on GitHub can assume it"
    )


def test_gcp_pool_provider_without_condition(tmp_path: Path) -> None:
    text = (
        'resource "google_iam_workload_identity_pool" "p" {\n  workload_identity_pool_id = "partners"\n}\n'
        'resource "google_iam_workload_identity_pool_provider" "aws" {\n  workload_identity_pool_id = google_iam_workload_identity_pool.p.workload_identity_pool_id\n'
        '  workload_identity_pool_provider_id = "partner-aws"\n  aws {\n    account_id = "210987654321"\n  }\n}\n'
    )
    (finding,) = run(tmp_path, {"main.tf": text})
    assert (finding.level, finding.span.line) == ("warning", 4)
    assert finding.message == (
        "workload identity pool partners accepts every identity of provider partner-aws "
        "(aws-account:210987654321): it has no attribute_condition"
    )


# -- graph: trust principals -----------------------------------------------------------------------


def test_principals_of_every_form(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(trust_tf('type = "AWS"\n      identifiers = [aws_iam_role.r.arn, "arn:aws:iam::1:role/x"]'))
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n"
        '          - Effect: Allow\n            Action: sts:AssumeRole\n            NotPrincipal:\n              AWS: [!GetAtt Other.Arn, "*"]\n'
        "              Service: lambda.amazonaws.com\n"
    )
    graph = scan([str(tmp_path)]).graph
    terraform = next(i for i in graph.identities if i.name == "r").trust.grants[0]  # type: ignore[union-attr]
    assert [(v.text, v.unresolved) for v in terraform.principals] == [
        (None, "AWS:aws_iam_role.r.arn"),
        ("AWS:arn:aws:iam::1:role/x", ""),
    ]
    cfn = next(i for i in graph.identities if i.name == "R").trust.grants[0]  # type: ignore[union-attr]
    assert cfn.not_principals
    assert [(v.text, v.unresolved) for v in cfn.principals] == [
        (None, "AWS:Fn::GetAtt Other.Arn"),
        ("AWS:*", ""),
        ("Service:lambda.amazonaws.com", ""),
    ]


def test_trust_policies_are_not_grants(tmp_path: Path) -> None:
    """A trust policy's statements never reach the rules that judge grants (JEP1xx)."""
    (tmp_path / "main.tf").write_text(trust_tf('type = "AWS"\n      identifiers = ["*"]').replace('"sts:AssumeRole", ', '"*", '))
    result = scan([str(tmp_path)])
    assert [f.rule_id for f in result.findings] == ["JEP404"]
    assert all(p.kind != "trust" for p in result.graph.policies)


def test_json_report_and_sarif_carry_the_chain(in_root: Path) -> None:
    from jeplint.report import sarif

    result = scan(["testdata/escalation/chain"], Settings(select=("JEP405",)))
    data = report(result)
    assert [f["rule_id"] for f in data["findings"]] == ["JEP405", "JEP405"]
    assert len(data["findings"][0]["related"]) == 6
    log = sarif.log(result)
    assert len(log["runs"][0]["results"][0]["relatedLocations"]) == 6


# -- the shipped data -----------------------------------------------------------------------------


def test_combination_data() -> None:
    paths = {p.id: p for p in aws_paths()}
    assert paths["lambda-001"].needs == ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")
    assert paths["lambda-001"].target == "iam:PassRole" and paths["iam-005"].target == "iam:PutRolePolicy"
    assert "sts-001" not in paths  # role chains: JEP405
    assert "iam-014" not in paths  # iam:AttachRolePolicy + sts:AssumeRole contains iam-009 at the same level
    assert paths["set-default-policy-version"].needs == ("iam:SetDefaultPolicyVersion",)
    assert paths["iam-002"].self_neutral and not paths["iam-005"].self_neutral
    gcp = {p.id: p for p in gcp_paths()}
    assert gcp["SetFolderIAMPolicy"].scopes == ("Organization", "Folder")
    assert gcp["CreateGCEInstanceWithSA"].target == "iam.serviceAccounts.actAs"
    bind = next(r for r in rbac_risks() if r.id == "K8S-RBAC-BIND")
    assert bind.rules == ((frozenset({"rbac.authorization.k8s.io"}), frozenset({"roles", "clusterroles"}), frozenset({"bind"})),)
    assert next(r for r in rbac_risks() if r.id == "K8S-NODES-PROXY").namespace_level is None


def test_resource_types_decide_coverage() -> None:
    assert covers("arn:aws:codebuild:eu-west-1:1:project/build", "codebuild:StartBuild")
    assert not covers("arn:aws:codebuild:eu-west-1:1:report-group/build", "codebuild:StartBuild")
    assert not covers("arn:aws:s3:::bucket/*", "iam:PassRole")
    assert covers("arn:aws:iam::*:role/*", "iam:PassRole") and covers("*", "iam:PassRole")
    assert covers(
        "arn:aws:iam::${AWS::AccountId}:role/app-${AWS::StackName}", "iam:AttachRolePolicy"
    )  # placeholders keep their colons
