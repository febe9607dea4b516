"""Issue 19's property: for any policy document embedded in HCL, YAML or JSON, a scan either reports
its grants or names the file as not analysed — never clean and silent.

Documents are generated with extra statements, keys spelt with escapes (`"\\u0053tatement"`), and
sometimes a trailing comma (invalid JSON). Each holds an `Allow` of `*` on `*`, so JEP101 must be
reported — and must be, whenever the deployer's own parser reads the file (json for Terraform's
policy strings and CloudFormation JSON, PyYAML for CloudFormation YAML); otherwise the file must be
named with an error.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jeplint.run import Settings, scan

KEYS = ("Version", "Statement", "Effect", "Action", "Resource")
EXTRA = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.sampled_from(["s3:GetObject", "ec2:Describe*", ["sqs:SendMessage", "sqs:Receive*"], "iam:PassRole"]),
        "Resource": st.sampled_from(["*", "arn:aws:s3:::bucket/*", ["arn:aws:sqs:eu-west-1:123456789012:q"]]),
    }
)
WILDCARD = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def _key(name: str, escaped: frozenset[str]) -> str:
    return f'"\\u{ord(name[0]):04x}{name[1:]}"' if name in escaped else json.dumps(name)


def _json(value: object, escaped: frozenset[str]) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k, escaped)}: {_json(v, escaped)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, bool]:
    """(the policy document's text, whether it has a trailing comma)."""
    statements = draw(st.lists(EXTRA, max_size=3))
    statements.insert(draw(st.integers(0, len(statements))), WILDCARD)
    escaped = frozenset(draw(st.sets(st.sampled_from(KEYS))))
    comma = draw(st.booleans())
    body = ", ".join(_json(s, escaped) for s in statements) + ("," if comma else "")
    version = f'{_key("Version", escaped)}: "2012-10-17", ' if draw(st.booleans()) else ""
    return "{" + version + f"{_key('Statement', escaped)}: [{body}]" + "}", comma


ROLE_TF = 'resource "aws_iam_role" "r" {\n  name               = "r"\n  assume_role_policy = "{}"\n}\n'


def _heredoc(doc: str) -> tuple[str, str]:
    return (
        "main.tf",
        ROLE_TF + f'resource "aws_iam_role_policy" "p" {{\n  role   = aws_iam_role.r.id\n  policy = <<EOT\n{doc}\nEOT\n}}\n',
    )


def _hcl_string(doc: str) -> tuple[str, str]:
    quoted = doc.replace("\\", "\\\\").replace('"', '\\"')
    return (
        "main.tf",
        ROLE_TF + f'resource "aws_iam_role_policy" "p" {{\n  role   = aws_iam_role.r.id\n  policy = "{quoted}"\n}}\n',
    )


def _source_document(doc: str) -> tuple[str, str]:
    return "main.tf", (
        f'data "aws_iam_policy_document" "d" {{\n  source_policy_documents = [<<EOT\n{doc}\nEOT\n  ]\n}}\n'
        + ROLE_TF.replace(
            "}\n", '  inline_policy {\n    name   = "p"\n    policy = data.aws_iam_policy_document.d.json\n  }\n}\n'
        )
    )


def _cfn_yaml(doc: str) -> tuple[str, str]:
    return "stack.yaml", (
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument: {Statement: []}\n      Policies:\n"
        f"        - PolicyName: p\n          PolicyDocument: {doc}\n"
    )


def _cfn_json(doc: str) -> tuple[str, str]:
    return "stack.json", (
        '{"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []},'
        f' "Policies": [{{"PolicyName": "p", "PolicyDocument": {doc}}}]}}}}}}'
    )


def _policy_json(doc: str) -> tuple[str, str]:
    return "policy.json", doc


CONTAINERS = {
    "tf-heredoc": _heredoc,
    "tf-string": _hcl_string,
    "tf-source-document": _source_document,
    "cfn-yaml": _cfn_yaml,
    "cfn-json": _cfn_json,
    "policy": _policy_json,
}


def _deployer_reads(kind: str, doc: str, text: str) -> bool:
    """Whether the deploying tool's parser accepts what it is given."""
    try:
        if kind == "cfn-yaml":
            yaml.safe_load(text)
        elif kind in ("cfn-json", "policy"):
            json.loads(text)
        else:
            json.loads(doc)  # Terraform hands the string to IAM, which parses it as JSON
    except (ValueError, yaml.YAMLError):
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(CONTAINERS)), generated=documents())
def test_a_policy_is_reported_or_its_file_named(kind: str, generated: tuple[str, bool]) -> None:
    doc, _ = generated
    name, text = CONTAINERS[kind](doc)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text)
        result = scan([folder], Settings(select=("JEP101",)))
    reported = [f for f in result.findings if f.span.path.endswith(name) and f.rule_id == "JEP101"]
    named = [p for p in result.problems if p.path.endswith(name) and p.level == "error"]
    assert reported or named, (kind, text)
    if _deployer_reads(kind, doc, text):
        assert reported and not named, (kind, text, result.problems)
    else:
        assert named, (kind, text)
