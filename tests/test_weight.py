"""Resource-aware weight and exact messages (issue 18): what only takes "*", type-wide resources,
escalation messages true to the resources named."""

from __future__ import annotations

from pathlib import Path

import pytest

from jeplint.catalog import aws_actions
from jeplint.rules.common import type_wide
from jeplint.run import Settings, scan


def role_with(tmp_path: Path, statements: str, select: str) -> list:
    """Scan one role named "app" holding one inline policy with `statements` (HCL list items)."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "app" {\n  name = "app"\n  assume_role_policy = "{}"\n}\n'
        'resource "aws_iam_role_policy" "app" {\n  role = aws_iam_role.app.id\n'
        f"  policy = jsonencode({{ Statement = [{statements}] }})\n}}\n"
    )
    return scan([str(tmp_path)], Settings(select=(select,))).findings


@pytest.mark.parametrize(
    ("types", "scoped"),
    [
        ([], False),  # s3:ListAllMyBuckets: no resource type
        ([{"name": "dataset", "required": False}], False),  # cloudwatch:PutMetricData since 2025
        ([{"name": "alarm", "required": True}, {"name": "dataset", "required": False}], True),
        ([{"name": "object", "required": False}, {"name": "accesspointobject", "required": False}], True),  # alternatives
    ],
)
def test_resource_scoped_derivation(types: list[dict], scoped: bool) -> None:
    assert aws_actions.resource_scoped(types) is scoped


def test_catalogue_actions_that_only_take_star() -> None:
    (metric,) = aws_actions.expand("cloudwatch:PutMetricData") or ()
    (obj,) = aws_actions.expand("s3:PutObject") or ()
    assert not metric.resource_scoped and obj.resource_scoped


@pytest.mark.parametrize(
    ("arn", "kind"),
    [
        ("*", "resource"),
        ("arn:aws:secretsmanager:*:*:secret:*", "secret"),
        ("arn:aws:kms:eu-west-1:123456789012:key/*", "key"),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/*", "table"),
        ("arn:aws:s3:::*", "bucket"),
        ("arn:aws:secretsmanager:*:*:secret:db-*", None),  # a name prefix
        ("arn:aws:s3:::artifacts/*", None),  # the objects of one bucket
        ("arn:aws:kms:eu-west-1:123456789012:key/1234", None),
    ],
)
def test_type_wide_resources(arn: str, kind: str | None) -> None:
    assert type_wide(arn) == kind


def test_partial_wildcard_resource_is_said_so(tmp_path: Path) -> None:
    statement = '{ Effect = "Allow", Action = ["secretsmanager:*"], Resource = "arn:aws:secretsmanager:*:*:secret:*" }'
    (finding,) = role_with(tmp_path, statement, "JEP102")
    assert finding.level == "warning"
    assert "on every secret in the account (arn:aws:secretsmanager:*:*:secret:*)" in finding.message


def test_escalation_on_named_resources_does_not_claim_itself(tmp_path: Path) -> None:
    def escalations(action: str, resource: str) -> list[str]:
        statement = f'{{ Effect = "Allow", Action = ["{action}"], Resource = "{resource}" }}'
        return [f.message for f in role_with(tmp_path, statement, "JEP401")]

    # another named role gets the policy, not the role itself: no escalation of its own
    assert escalations("iam:AttachRolePolicy", "arn:aws:iam::123456789012:role/service-x") == []
    (itself,) = escalations("iam:AttachRolePolicy", "arn:aws:iam::123456789012:role/app")
    assert "to itself (" in itself and "itself included" not in itself
    (anyone,) = escalations("iam:AttachRolePolicy", "*")
    assert "to any role, itself included" in anyone
    (named,) = escalations("iam:CreatePolicyVersion", "arn:aws:iam::123456789012:policy/app")
    assert "rewrite the customer managed policy resources named" in named and "its own included" not in named
    (keys,) = escalations("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/ci")
    assert "lets it create access keys for the users named (" in keys and "any user" not in keys


@pytest.mark.parametrize(
    ("prefix", "name", "suggested"),
    [
        ("s3", "ReplicationTags", "s3:ReplicateTags"),  # a spelling slip of the verb
        ("glue", "ListDatabases", "glue:GetDatabases"),  # two read verbs
        ("s3", "GetObjet", "s3:GetObject"),
        ("ds", "deauthorizeApplication", None),  # AuthorizeApplication is the opposite action
        ("scheduler", "UntagSchedule", None),  # GetSchedule is another action
        ("s3", "PutBucketNotificationConfiguration", "s3:PutBucketNotification"),  # the API name
        ("s3", "PutBucketNotificationConfig", "s3:PutBucketNotification"),
        ("glue", "ListConnections", "glue:GetConnections"),  # not glue:ListConnectionTypes
        ("transform", "ListWorkspaces", None),  # not in the catalogue, nothing of that noun
    ],
)
def test_unknown_action_suggestions_only_when_close(prefix: str, name: str, suggested: str | None) -> None:
    from jeplint.rules.jep107_unknown_action import _meant

    assert _meant(prefix, name) == suggested


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("lambda.amazonaws.com", "in a new Lambda function"),
        ("ec2.amazonaws.com", "in a new EC2 instance"),
    ],
)
def test_pass_role_paths_honour_passed_to_service(tmp_path: Path, service: str, path: str) -> None:
    statements = (
        f'{{ Effect = "Allow", Action = ["iam:PassRole"], Resource = "*", '
        f'Condition = {{ StringEquals = {{ "iam:PassedToService" = "{service}" }} }} }}, '
        '{ Effect = "Allow", Action = ["ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction"], Resource = "*" }'
    )
    (finding,) = role_with(tmp_path, statements, "JEP401")
    others = {"in a new Lambda function", "in a new EC2 instance"} - {path}
    assert path in finding.message and not any(o in finding.message for o in others)


def test_per_instance_principals_are_not_merged_across_assignments(tmp_path: Path) -> None:
    block = """
resource "azurerm_role_assignment" "NAME" {
  for_each             = var.NAME
  scope                = "/subscriptions/x"
  role_definition_name = "ROLE"
  principal_id         = each.value.identity[0].principal_id
}
"""
    (tmp_path / "main.tf").write_text(
        block.replace("NAME", "readers").replace("ROLE", "Reader") + block.replace("NAME", "owners").replace("ROLE", "Owner")
    )
    graph = scan([str(tmp_path)]).graph
    held = {b.identity.key: b.policy.name for b in graph.bindings}
    assert len(held) == 2 and sorted(held.values()) == ["Owner", "Reader"]


@pytest.mark.parametrize(("service", "reported"), [("elasticmapreduce.amazonaws.com", False), ("ec2.amazonaws.com", True)])
def test_aws_service_role_policies_are_aws_design(tmp_path: Path, service: str, reported: bool) -> None:
    """The EMR service role holds PassRole + RunInstances through AWS's own service-role policy."""
    (tmp_path / "template.yaml").write_text(
        f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ServiceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {{ Effect: Allow, Principal: {{ Service: {service} }}, Action: sts:AssumeRole }}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole
"""
    )
    findings = scan([str(tmp_path)], Settings(select=("JEP401",))).findings
    assert bool(findings) is reported
