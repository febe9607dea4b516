"""Policy kinds on every AWS extractor: identity, resource, trust, boundary and control policies are
distinct graph facts, and only identity policies and the parts of resource policies naming an
identity of the scan grant to an identity (testdata/graph/policy-kinds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jeplint.graph.model import Policy
from jeplint.graph.policy import grants_from_document
from jeplint.graph.resource_policies import permission_principal, purpose_by_shape
from jeplint.parse.jsonpos import load_json
from jeplint.report.graph_report import inventory
from jeplint.run import ScanResult, Settings, scan

FOLDER = "testdata/graph/policy-kinds"


def _scan(in_root: Path) -> ScanResult:
    return scan([FOLDER], Settings(select=("JEP1",)))


def test_policy_purposes_by_extractor(in_root: Path) -> None:
    graph = _scan(in_root).graph
    found = sorted(
        (p.span.path.rsplit("/", 1)[-1], p.purpose, p.kind, p.resource, p.name)
        for p in graph.policies
        if p.span is not None and p.parent is None
    )
    assert found == [
        ("bucket-policy.json", "resource", "document", "", f"{FOLDER}/policies/bucket-policy.json"),
        ("identity.json", "identity", "document", "", f"{FOLDER}/policies/identity.json"),
        ("main.tf", "boundary", "managed", "", "boundary"),
        ("main.tf", "resource", "bucket policy", "aws_s3_bucket.logs", "aws_s3_bucket_policy.logs"),
        ("main.tf", "resource", "document", "", "data.aws_iam_policy_document.shared_key"),
        ("main.tf", "resource", "function permission", "aws_lambda_function.api", "aws_lambda_permission.api"),
        ("main.tf", "resource", "key policy", "aws_kms_key.main", "aws_kms_key.main"),
        ("main.tf", "scp", "scp", "", "guard"),
        ("stack.yaml", "boundary", "managed", "", "cap"),
        ("stack.yaml", "resource", "function permission", "handler", "Invoke"),
        ("stack.yaml", "resource", "key policy", "Key", "Key"),
        ("stack.yaml", "resource", "queue policy", "Queue", "QueuePolicy"),
        ("stack.yaml", "scp", "scp", "", "guard"),
    ]


def test_resource_policy_grants_only_to_the_identities_it_names(in_root: Path) -> None:
    graph = _scan(in_root).graph
    parts = {
        (p.label, tuple(sorted(b.identity.name for b in graph.holders(p)))): [
            (g.index, [v.text for v in g.actions], [v.text for v in g.resources]) for g in p.grants
        ]
        for p in graph.policies
        if p.parent is not None
    }
    assert parts == {
        # Resource "*" in a key policy is the key itself; the root and the partner account get nothing here
        ("key policy of aws_kms_key.main", ("app",)): [(2, ["kms:*"], ["aws_kms_key.main"])],
        ("bucket policy of aws_s3_bucket.logs", ("app",)): [(2, ["s3:DeleteObject"], ["arn:aws:s3:::logs/*"])],
        ("key policy of Key", ("worker",)): [(2, ["kms:*"], ["Key"])],
        ("function permission of handler", ("worker",)): [(1, ["lambda:InvokeFunction"], ["handler"])],
        (f"policy document {FOLDER}/policies/bucket-policy.json", ("app",)): [
            (1, ["s3:*"], ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"])
        ],
    }
    app = next(i for i in graph.identities if i.name == "app")
    vias = sorted({b.via for b in graph.bindings_of(app)})
    assert vias == [
        "bucket policy of aws_s3_bucket.logs names it as a principal",
        "key policy of aws_kms_key.main names it as a principal",
        f"policy document {FOLDER}/policies/bucket-policy.json names it as a principal",
    ]


def test_no_wildcard_finding_on_delegation_boundaries_or_scps(in_root: Path) -> None:
    """kms:* to the account root, the boundary's and the SCP's "*", the module's key policy: none
    is a grant; the grants to identities of the scan still fire through the resource policy."""
    result = _scan(in_root)
    got = sorted((f.span.path.rsplit("/", 1)[-1], f.span.line, f.rule_id) for f in result.findings)
    assert got == [
        ("bucket-policy.json", 7, "JEP102"),
        ("identity.json", 4, "JEP105"),
        ("main.tf", 21, "JEP102"),
        ("stack.yaml", 36, "JEP102"),
    ]
    kms = next(f for f in result.findings if f.span.path.endswith("main.tf"))
    assert kms.message == (
        "role app can perform every kms action (kms:* = 58 actions, 28 of them write or permissions management: "
        "kms:PutKeyPolicy, kms:CreateGrant and 2 more manage permissions) on "
        "aws_kms_key.main through key policy of aws_kms_key.main, statement 2 (App) (capped by permissions boundary policy boundary)"
    )
    assert [r.message for r in kms.related][:3] == [
        "statement 2 (App) of key policy of aws_kms_key.main",
        "key policy of aws_kms_key.main is bound to role app by key policy of aws_kms_key.main names it as a principal",
        "role app is declared here",
    ]


def test_graph_inventory_names_principals_outside_the_scan(in_root: Path) -> None:
    others = {p["policy"]: p for p in inventory(_scan(in_root))["other_policies"]}
    assert others["key policy of aws_kms_key.main"]["principals"] == [
        f"{FOLDER}/aws_iam_role.app",
        "AWS:arn:aws:iam::111122223333:root (outside the scan)",
        "AWS:arn:aws:iam::444455556666:role/reader (outside the scan)",
    ]
    assert others["function permission of aws_lambda_function.api"]["principals"] == [
        "Service:apigateway.amazonaws.com (outside the scan)"
    ]
    assert others["service control policy guard"]["purpose"] == "scp"
    json.dumps(others)  # plain data


@pytest.mark.parametrize(
    ("statements", "purpose"),
    [
        ([{"Action": "s3:GetObject", "Resource": "*"}], "identity"),
        ([{"Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}], "trust"),
        ([{"Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"], "Principal": {"Federated": "x"}}], "trust"),
        ([{"Action": "kms:*", "Resource": "*", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}], "resource"),
        ([{"Action": "sts:AssumeRole", "Principal": "*"}, {"Action": "s3:*", "Principal": "*"}], "resource"),
    ],
)
def test_a_document_of_unknown_use_is_typed_by_its_statements(statements: list[dict], purpose: str) -> None:
    policy = Policy("aws", "document", "d", "d", None)
    grants_from_document(policy, load_json(json.dumps({"Statement": [{"Effect": "Allow", **s} for s in statements]}), "d.json"))
    assert purpose_by_shape(policy) == purpose


@pytest.mark.parametrize(
    ("written", "principal"),
    [("apigateway.amazonaws.com", "Service:apigateway.amazonaws.com"), ("111122223333", "AWS:111122223333"), ("*", "*")],
)
def test_lambda_permission_principal(written: str, principal: str) -> None:
    assert permission_principal(written) == principal
