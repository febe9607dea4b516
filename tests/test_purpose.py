"""Privilege inherent to an identity's purpose, in its own scope, is reported one level lower with
the reason, or not at all for an escalation path (testdata/purpose): the VPC CNI plugin's
permissions on a node role, a pipeline acting on the stack it names, a GitOps controller reading
the Secrets of its own namespace. The same permissions elsewhere keep their level."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import TESTDATA, expectations

from jeplint.graph.model import Grant, Identity, Policy, Value
from jeplint.rules.common.purpose import own_stacks
from jeplint.run import ScanResult, scan

CNI = " (inherent to a node role: the VPC CNI plugin's permissions, as AWS documents them in AmazonEKS_CNI_Policy)"
STACK = " (inherent to a deployment pipeline: it acts on the CloudFormation stacks it names)"
GITOPS = (
    " (inherent to Argo CD: a GitOps controller keeps its repository and cluster credentials in the Secrets of its own namespace)"
)


@pytest.fixture
def result(in_root: Path) -> ScanResult:
    return scan(["testdata/purpose"])


def test_findings_match_annotations(result: ScanResult, in_root: Path) -> None:
    expected: Counter[tuple[str, int, str]] = Counter()
    for path in sorted((TESTDATA / "purpose").iterdir()):
        found, _ = expectations(path)
        expected.update({(path.relative_to(in_root).as_posix(), line, rule): n for (line, rule), n in found.items()})
    assert Counter((f.span.path, f.span.line, f.rule_id) for f in result.findings) == expected
    assert not result.problems


def test_inherent_privilege_is_a_note_that_says_why(result: ScanResult) -> None:
    got = {(f.span.path.rsplit("/", 1)[-1], f.span.line): (f.level, f.message) for f in result.findings}
    level, message = got[("cni.tf", 21)]
    assert level == "note" and message.endswith("through policy aws_iam_role_policy.cni, statement 1" + CNI)
    level, message = got[("pipeline.yaml", 22)]
    assert level == "note" and message.endswith("through policy deploy, statement 1" + STACK)
    level, message = got[("gitops.yaml", 12)]
    assert level == "note" and message.endswith("ServiceAccount tokens included" + GITOPS)
    level, message = got[("gitops.yaml", 91)]  # a Helm release's name, recognised by its label
    assert level == "note" and message.endswith("tokens included" + GITOPS.replace("Argo CD", "Flux"))


def test_same_permissions_outside_the_purpose_keep_their_level(result: ScanResult) -> None:
    got = {(f.span.path.rsplit("/", 1)[-1], f.span.line, f.rule_id): f for f in result.findings}
    kept = {
        ("cni.tf", 32, "JEP105"): "warning",  # a node role, but TerminateInstances is no CNI permission
        ("cni.tf", 48, "JEP105"): "warning",  # CNI actions on a Lambda role
        ("pipeline.yaml", 37, "JEP102"): "warning",  # every stack
        ("pipeline.yaml", 24, "JEP401"): "warning",  # updating any stack runs code as its service role
        ("gitops.yaml", 36, "JEP402"): "warning",  # the same namespace, not a GitOps account
        ("gitops.yaml", 59, "JEP402"): "error",  # Argo CD's account, cluster-wide
    }
    assert {k: got[k].level for k in kept} == kept
    assert not any("inherent" in got[k].message for k in kept)
    assert not [f for f in result.findings if f.rule_id == "JEP401" and "DeployRole" in f.message]


@pytest.mark.parametrize(
    ("resource", "own"),
    [
        ("arn:aws:cloudformation:eu-west-1:111122223333:stack/app/*", True),
        ("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*", True),
        ("arn:aws:cloudformation:eu-west-1:111122223333:stack/*", False),
        ("arn:aws:cloudformation:eu-west-1:111122223333:stack/app-*/*", False),
        ("arn:aws:cloudformation:eu-west-1:111122223333:stackset/app:*", False),
        ("*", False),
    ],
)
def test_own_stacks_names_each_stack_in_full(resource: str, own: bool) -> None:
    trust = Policy("aws", "trust", "t", "t", None)
    trust.grants = [Grant(trust, 1, None, principals=[Value("Service:codepipeline.amazonaws.com", None)])]  # type: ignore[arg-type]
    role = Identity("aws", "role", "deploy", "deploy", None, trust=trust)
    grant = Grant(Policy("aws", "inline", "p", "p", None), 1, None, resources=[Value(resource, None)])  # type: ignore[arg-type]
    assert own_stacks(grant, [role]) is own
    lambda_role = Identity("aws", "role", "fn", "fn", None, trust=Policy("aws", "trust", "t", "t", None))
    assert own_stacks(grant, [lambda_role]) is False
