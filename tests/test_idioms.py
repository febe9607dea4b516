"""Idioms of public CloudFormation, SAM and Kubernetes repositories: each identity is linked to what
it holds, and what cannot be followed is said (testdata/idioms)."""

from __future__ import annotations

from pathlib import Path

from jeplint.run import ScanResult, Settings, scan


def _scan(name: str, select: tuple[str, ...] = ("JEP1", "JEP4")) -> ScanResult:
    return scan([f"testdata/idioms/{name}"], Settings(select=select))


def _held(result: ScanResult, name: str) -> list[tuple[str, str]]:
    identity = next(i for i in result.graph.identities if i.name == name)
    return sorted((b.policy.name, b.via) for b in result.graph.bindings_of(identity))


def test_serviceaccounts_hold_what_their_groups_are_bound(in_root: Path) -> None:
    result = _scan("k8s-groups")
    assert _held(result, "ci/builder") == [
        ("debugger", "RoleBinding ci/ci-debug (member of group system:serviceaccounts:ci)"),
        ("secret-reader", "ClusterRoleBinding all-read-secrets (member of group system:authenticated)"),
    ]
    # the Job's namespace default ServiceAccount is authenticated, not in namespace ci
    assert _held(result, "web/default") == [
        ("secret-reader", "ClusterRoleBinding all-read-secrets (member of group system:authenticated)")
    ]
    assert [(f.rule_id, f.span.line, f.message.split(" can ")[0]) for f in result.findings] == [
        ("JEP402", 11, "group system:serviceaccounts:ci and serviceaccount ci/builder"),
        ("JEP402", 44, "group system:authenticated, serviceaccount ci/builder and serviceaccount web/default"),
    ]


def test_sam_state_machines_conditional_statements_and_sub_role_arns(in_root: Path) -> None:
    result = _scan("cfn-sam")
    assert _held(result, "WorkflowRole (SAM role of Workflow)") == [
        ("AWSLambdaBasicExecutionRole", "Policies of Workflow"),  # a bare SAM name, under service-role/
        ("SAM DynamoDBCrudPolicy", "Policies of Workflow"),
        ("Workflow policy 3", "Policies of Workflow"),
    ]
    workloads = {w.name: (w.kind, w.identity.name) for w in result.graph.workloads}
    assert workloads["Workflow"] == ("Step Functions state machine", "WorkflowRole (SAM role of Workflow)")
    assert workloads["Worker"] == ("Lambda function", "WorkerRole")  # Role: !Sub ...:role/${WorkerRole}
    assert "Importer" not in workloads
    # an undecided `!If` statement: either branch may be deployed, so iam:* is read
    assert [(f.rule_id, f.span.line, f.message.split(" can ")[0]) for f in result.findings] == [
        ("JEP401", 14, "role WorkflowRole (SAM role of Workflow)"),
        ("JEP105", 25, "role WorkflowRole (SAM role of Workflow)"),
        ("JEP401", 26, "role DebuggerRole (SAM role of Debugger)"),
        ("JEP105", 42, "role DebuggerRole (SAM role of Debugger)"),
        ("JEP105", 62, "role WorkerRole"),
    ]
    assert sorted((s.line, category, message) for s, category, message in result.graph.unresolved) == [
        (
            54,
            "policy declared outside the scan",
            "IAM reference not resolved: the policy arn:aws:iam::${AWS::AccountId}:policy/team-boundary"
            " (ManagedPolicyArns of WorkerRole)",
        ),
        (75, "Fn::ImportValue", "IAM reference not resolved: the role named by Fn::ImportValue"),
        (81, "parameter without default", "IAM reference not resolved: the role named by Ref SharedRoleName"),
    ]
