"""AWS managed policies attached by ARN (``arn:aws:iam::aws:policy/NAME``).

The documents of the broadest managed policies are written out here from AWS's published policy
versions (AWS Managed Policy Reference Guide); the effective-permission work of the graph-depth
issue extends the table. One `Policy` per ARN is shared by every identity that attaches it; it has
no span of its own, so rules report it at each attachment.
"""

from __future__ import annotations

import re

from jeplint.graph.model import Grant, Graph, Policy, Value
from jeplint.parse.nodes import Span

_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]+)$")

# name -> statements as (effect, not_action, actions, resources)
DOCUMENTS: dict[str, list[tuple[str, bool, list[str], list[str]]]] = {
    "AdministratorAccess": [("Allow", False, ["*"], ["*"])],
    "PowerUserAccess": [
        ("Allow", True, ["iam:*", "organizations:*", "account:*"], ["*"]),
        (
            "Allow",
            False,
            [
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
                "account:ListRegions",
                "account:GetAccountInformation",
            ],
            ["*"],
        ),
    ],
    "IAMFullAccess": [
        (
            "Allow",
            False,
            [
                "iam:*",
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:DescribeOrganizationalUnit",
                "organizations:DescribePolicy",
                "organizations:ListChildren",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:ListRoots",
                "organizations:ListPolicies",
                "organizations:ListTargetsForPolicy",
            ],
            ["*"],
        )
    ],
}

# The common *FullAccess policies: their main statement grants the whole service (the full documents
# add the read-only helper actions the console needs, which are left out here).
FULL_ACCESS = {
    "AmazonS3FullAccess": ["s3:*", "s3-object-lambda:*"],
    "AmazonEC2FullAccess": ["ec2:*", "elasticloadbalancing:*", "cloudwatch:*", "autoscaling:*"],
    "AmazonDynamoDBFullAccess": ["dynamodb:*", "dax:*"],
    "AmazonSQSFullAccess": ["sqs:*"],
    "AmazonSNSFullAccess": ["sns:*"],
    "AmazonRDSFullAccess": ["rds:*"],
    "AWSLambda_FullAccess": ["lambda:*"],
    "AWSLambdaFullAccess": ["lambda:*"],
    "CloudWatchFullAccess": ["cloudwatch:*", "logs:*", "autoscaling:Describe*", "sns:*"],
    "CloudWatchLogsFullAccess": ["logs:*"],
    "AmazonRoute53FullAccess": ["route53:*", "route53domains:*"],
    "AmazonECS_FullAccess": ["ecs:*"],
    "AmazonEC2ContainerRegistryFullAccess": ["ecr:*"],
    "AmazonSSMFullAccess": ["ssm:*"],
    "AmazonKinesisFullAccess": ["kinesis:*"],
    "AmazonAthenaFullAccess": ["athena:*"],
    "AmazonSESFullAccess": ["ses:*"],
    "AmazonAPIGatewayAdministrator": ["apigateway:*"],
    "AWSStepFunctionsFullAccess": ["states:*"],
    "AWSCloudFormationFullAccess": ["cloudformation:*"],
    "AWSCodeBuildAdminAccess": ["codebuild:*"],
    "AWSKeyManagementServicePowerUser": [
        "kms:Create*",
        "kms:Describe*",
        "kms:Enable*",
        "kms:List*",
        "kms:Put*",
        "kms:Update*",
        "kms:Revoke*",
        "kms:Disable*",
        "kms:Get*",
        "kms:Delete*",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
    ],
    "SecretsManagerReadWrite": ["secretsmanager:*"],
    "AmazonElasticFileSystemFullAccess": ["elasticfilesystem:*"],
    "AmazonEKSClusterPolicy": ["eks:*"],
}
DOCUMENTS.update({name: [("Allow", False, actions, ["*"])] for name, actions in FULL_ACCESS.items()})

# Broad grants by design: the name alone says what they are.
BROAD = {
    "AdministratorAccess": "every action on every resource",
    "PowerUserAccess": "every action except IAM, Organizations and Account management",
    "IAMFullAccess": "full IAM administration (iam:*)",
    "AdministratorAccess-Amplify": "administration of Amplify and the resources it creates",
    "AWSOrganizationsFullAccess": "full AWS Organizations administration",
}


KNOWN_MANAGED = frozenset(DOCUMENTS) | frozenset(BROAD)  # names a `data "aws_iam_policy"` may read by name


def managed_name(arn: str) -> str | None:
    match = _ARN.match(arn)
    return match.group("name") if match else None


def managed_policy(graph: Graph, arn: str, span: Span) -> Policy | None:
    """The shared Policy for an AWS managed policy ARN (created on first use), or None if not one."""
    name = managed_name(arn)
    if name is None:
        return None
    key = f"aws-managed:{name}"
    existing = graph.policy(key)
    if existing is not None:
        return existing
    policy = Policy("aws", "aws-managed", name, key, None)
    for index, (effect, negated, actions, resources) in enumerate(DOCUMENTS.get(name, []), start=1):
        policy.grants.append(
            Grant(
                policy=policy,
                index=index,
                span=span,
                effect=effect,
                actions=[Value(a, span) for a in actions],
                not_actions=negated,
                resources=[Value(r, span) for r in resources],
            )
        )
    if name not in DOCUMENTS:
        policy.unresolved = "document of this AWS managed policy is not in jeplint's table"
    graph.policies.append(policy)
    return policy
