"""The function taxonomy and the JEP3 rules' thresholds, purposes and configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from jeplint.catalog.functions import baseline, classify
from jeplint.options import Options
from jeplint.run import Settings, scan


@pytest.mark.parametrize(
    ("permission", "platform", "domain", "capability"),
    [
        ("iam:PassRole", "aws", "iam", "modify"),  # delegation: the escalation paths are JEP401's
        ("iam:CreateServiceLinkedRole", "aws", "iam", "modify"),  # an AWS-defined role: no identity administration
        ("iam:CreateAccessKey", "aws", "iam", "identity-admin"),
        ("secretsmanager:RotateSecret", "aws", "secretsmanager", "rotate"),
        ("secretsmanager:GetSecretValue", "aws", "secretsmanager", "data-read"),
        ("secretsmanager:PutResourcePolicy", "aws", "secretsmanager", "resource-policy"),
        ("s3:PutObject", "aws", "s3", "data-write"),
        ("ssm:SendCommand", "aws", "ssm", "code-execution"),
        ("ram:AcceptResourceShareInvitation", "aws", "ram", "approve"),  # sharing resources, not identity administration
        ("organizations:DescribeOrganization", "aws", "organizations", "observe"),
        ("organizations:ListAccounts", "aws", "organizations", "observe"),
        ("codecommit:UpdatePullRequestApprovalState", "aws", "codecommit", "modify"),
        ("rds:CreateDBSnapshot", "aws", "rds", "export-report"),
        ("ec2:TerminateInstances", "aws", "ec2", "destroy"),
        ("ec2:DescribeInstances", "aws", "ec2", "observe"),
        ("iam.serviceAccounts.actAs", "gcp", "iam", "identity-admin"),
        ("iam.serviceAccounts.getAccessToken", "gcp", "iam", "credential-issue"),
        ("storage.objects.get", "gcp", "storage", "data-read"),
        ("Microsoft.Authorization/roleAssignments/write", "azure", "Microsoft.Authorization", "identity-admin"),
        ("Microsoft.Storage/storageAccounts/listKeys/action", "azure", "Microsoft.Storage", "credential-issue"),
        ("create /serviceaccounts/token", "kubernetes", "core/serviceaccounts", "credential-issue"),
        ("get /pods/exec", "kubernetes", "core/pods", "code-execution"),
        ("bind rbac.authorization.k8s.io/clusterroles", "kubernetes", "rbac.authorization.k8s.io/clusterroles", "identity-admin"),
        ("list /secrets", "kubernetes", "core/secrets", "data-read"),
    ],
)
def test_classification(permission: str, platform: str, domain: str, capability: str) -> None:
    function = classify(permission, platform)
    assert (function.domain, function.capability) == (domain, capability)
    assert function.reason


@pytest.mark.parametrize(
    ("permission", "platform"),
    [
        ("logs:PutLogEvents", "aws"),
        ("sts:GetCallerIdentity", "aws"),
        ("ecr:BatchGetImage", "aws"),
        ("ssmmessages:OpenDataChannel", "aws"),
        ("logging.logEntries.create", "gcp"),
        ("create coordination.k8s.io/leases", "kubernetes"),
    ],
)
def test_baseline_never_counts(permission: str, platform: str) -> None:
    assert baseline(permission, platform)


def test_thresholds_are_configurable(in_root: Path) -> None:
    path = "rules/JEP301-multi-function-identity/bad.cfn.yaml"
    assert [f.rule_id for f in scan([path], Settings(select=("JEP301",))).findings] == ["JEP301"]
    relaxed = Options(multi_function_functions=8, multi_function_domains=6, multi_function_high_impact=5)
    assert scan([path], Settings(select=("JEP301",), options=relaxed)).findings == []


def test_purpose_from_configuration(in_root: Path) -> None:
    path = "rules/JEP301-multi-function-identity/good.tf"
    options = Options(purposes=(("secrets-rotator", "secretsmanager:rotate, secretsmanager:data-read"),))
    (finding,) = scan([path], Settings(select=("JEP302",), options=options)).findings
    assert finding.message.startswith(
        "role secrets-rotator is declared for 'secretsmanager:rotate, secretsmanager:data-read' (configuration) "
        "but also holds 1 function outside it: "  # kms:Decrypt on its own key is plumbing
        "secretsmanager data-write (secretsmanager:PutSecretValue via policy rotation, statement 1)."
    )
    assert (finding.span.line, finding.span.col) == (2, 25)  # no tag: the identity itself


def test_purposes_in_the_configuration_file(tmp_path: Path) -> None:
    from conftest import ROOT

    from jeplint.cli import main

    (tmp_path / "main.tf").write_text((ROOT / "rules/JEP301-multi-function-identity/good.tf").read_text())
    (tmp_path / ".jeplint.toml").write_text('select = ["JEP302"]\n\n[purposes]\nsecrets-rotator = "secrets-rotation"\n')
    assert main(["scan", str(tmp_path), "--config", str(tmp_path / ".jeplint.toml")]) == 0  # kms data-read is part of it
    (tmp_path / ".jeplint.toml").write_text('select = ["JEP302"]\n\n[purposes]\nsecrets-rotator = "table-read"\n')
    assert main(["scan", str(tmp_path), "--config", str(tmp_path / ".jeplint.toml")]) == 1
    (tmp_path / ".jeplint.toml").write_text("[purposes]\nsecrets-rotator = 3\n")
    assert main(["scan", str(tmp_path), "--config", str(tmp_path / ".jeplint.toml")]) == 2


def test_pass_role_is_delegation_not_identity_administration(tmp_path: Path) -> None:
    """The recommended deployer: PassRole on one role, to Lambda only, plus the Lambda writes."""
    (tmp_path / "main.tf").write_text(
        """
resource "aws_iam_role" "deployer" {
  name               = "deployer"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "deploy" {
  role = aws_iam_role.deployer.id
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = ["iam:PassRole"], Resource = "arn:aws:iam::123456789012:role/app-runtime",
      Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } } },
    { Effect = "Allow", Action = ["lambda:CreateFunction", "lambda:UpdateFunctionCode"], Resource = "arn:aws:lambda:eu-west-1:123456789012:function:app" },
    { Effect = "Allow", Action = ["iam:PassRole"], Resource = "*" },
  ] })
}
"""
    )
    # PassRole, even on "*", is not identity administration (JEP401 reports the paths it opens).
    assert scan([str(tmp_path)], Settings(select=("JEP301",))).findings == []


def test_people_are_not_judged_multi_function(tmp_path: Path) -> None:
    """An SSO permission set is what a person signs in as: several functions are its job."""
    statements = (
        '{ Effect = "Allow", Action = ["iam:CreateRole", "iam:AttachRolePolicy"], Resource = "arn:aws:iam::123456789012:role/app-*" },'
        '{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::reports/*" },'
    )
    body = f"""
resource "aws_ssoadmin_permission_set" "engineer" {{
  name         = "engineer"
  instance_arn = "arn:aws:sso:::instance/ssoins-1"
}}
resource "aws_ssoadmin_permission_set_inline_policy" "engineer" {{
  permission_set_arn = aws_ssoadmin_permission_set.engineer.arn
  instance_arn       = "arn:aws:sso:::instance/ssoins-1"
  inline_policy      = jsonencode({{ Statement = [{"".join(statements)}] }})
}}
resource "aws_iam_role" "robot" {{
  name               = "robot"
  assume_role_policy = "{{}}"
}}
resource "aws_iam_role_policy" "robot" {{
  role   = aws_iam_role.robot.id
  policy = jsonencode({{ Statement = [{"".join(statements)}] }})
}}
"""
    (tmp_path / "main.tf").write_text(body)
    findings = scan([str(tmp_path)], Settings(select=("JEP301",))).findings
    assert [f.message.split(" holds ")[0] for f in findings] == ["role robot"]


def test_plumbing_is_never_a_function() -> None:
    from jeplint.catalog.functions import plumbing

    for action in ("logs:PutLogEvents", "xray:PutTraceSegments", "cloudwatch:PutMetricData", "ecr:BatchGetImage"):
        assert plumbing(action, "aws", named=False), action
    assert plumbing("ec2:CreateNetworkInterface", "aws", named=False)  # a VPC Lambda's ENIs
    # own key, own configuration: only when the statement names them
    assert plumbing("kms:Decrypt", "aws", named=True) and not plumbing("kms:Decrypt", "aws", named=False)
    assert plumbing("ssm:GetParameter", "aws", named=True) and not plumbing("ssm:GetParameter", "aws", named=False)
    assert not plumbing("s3:GetObject", "aws", named=True)
