"""Idioms of public CloudFormation, SAM and Kubernetes repositories: each identity is linked to what
it holds, and what cannot be followed is said (testdata/idioms)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jeplint.graph.cloudformation import CloudFormationExtractor
from jeplint.graph.model import Graph
from jeplint.parse import parse_file
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


def test_eks_aws_auth_maps_iam_principals_to_kubernetes_users_and_groups(in_root: Path) -> None:
    result = _scan("eks-aws-auth", ("JEP106",))
    assert _held(result, "deployer") == [
        ("cluster-admin", "aws-auth mapRoles entry for arn:aws:iam::123456789012:role/platform-deployer (group system:masters)")
    ]
    assert _held(result, "arn:aws:iam::123456789012:user/release-bot") == [
        (
            "edit",
            "RoleBinding shop/releasers-edit (aws-auth mapUsers entry for arn:aws:iam::123456789012:user/release-bot,"
            " group releasers)",
        )
    ]
    deployer = next(i for i in result.graph.identities if i.name == "deployer")
    ((link),) = result.graph.links_to(deployer)
    assert (link.source.key, link.span.line, link.span.col) == ("testdata/idioms/eks-aws-auth/iam.yaml#Deployer", 13, 16)
    assert [(f.span.line, f.span.col, f.message.split(" (")[0]) for f in result.findings] == [
        (16, 11, "user deployer holds built-in ClusterRole cluster-admin"),
        (20, 11, "user arn:aws:iam::123456789012:user/release-bot holds built-in ClusterRole edit"),
        (32, 5, "group releasers holds built-in ClusterRole edit"),
    ]


def test_aws_auth_mapping_that_is_not_yaml_is_reported_not_analysed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "aws-auth.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\n"
        "data:\n  mapRoles: |\n    - rolearn: [unclosed\n"
    )
    monkeypatch.chdir(tmp_path)
    result = scan(["."], Settings(select=("JEP106",)))
    assert [(s.line, reason.split(":")[0]) for s, reason in result.graph.invalid] == [(7, "not analysed")]
    assert [(p.line, p.not_analysed) for p in result.problems] == [(7, True)]


@pytest.mark.parametrize("parent_first", [True, False])
def test_nested_stack_parameters_name_the_parents_role(in_root: Path, parent_first: bool) -> None:
    folder = "testdata/idioms/cfn-nested"
    files = [parse_file(f"{folder}/{name}", f"{folder}/{name}") for name in ("main.yaml", "stacks/workers.yaml")]
    graph = Graph()
    extractor = CloudFormationExtractor(graph)
    for parsed in files if parent_first else files[::-1]:
        extractor.add([parsed])  # one file at a time, as the graph builder does
    role = next(i for i in graph.identities if i.name == "WorkerRole")
    assert [(b.policy.name, b.via, b.span.path, b.span.line) for b in graph.bindings if b.identity is role] == [
        ("drain", "Roles of QueuePolicy", f"{folder}/stacks/workers.yaml", 14)
    ]
    assert [(w.name, w.identity.name) for w in graph.workloads] == [("Drain", "WorkerRole")]
    assert graph.unresolved == []  # the notes said before the parent was read are withdrawn


def test_sam_globals_permissions_boundary(in_root: Path) -> None:
    result = _scan("cfn-globals", ("JEP1",))
    boundaries = {i.name: i.boundary.name if i.boundary else None for i in result.graph.identities}
    assert boundaries == {"ReaderRole (SAM role of Reader)": "TeamBoundary", "WriterRole (SAM role of Writer)": "PowerUserAccess"}
    assert result.findings == []  # before: TeamBoundary read as a policy attached to no identity (JEP105)


def test_cloudformation_workloads_named_below_the_properties(in_root: Path) -> None:
    result = _scan("cfn-workloads", ("JEP303",))
    assert sorted((w.kind, w.name, w.identity.name) for w in result.graph.workloads) == [
        ("EC2 launch template", "NodeTemplate", "NodeRole"),  # through the instance profile's Arn
        ("EKS node group", "Nodes", "NodeRole"),
        ("EventBridge rule", "Nightly", "EventsRole"),  # two targets, one workload
        ("EventBridge schedule", "Hourly", "EventsRole"),
    ]


def test_sam_policy_templates_come_from_sams_own_table(in_root: Path) -> None:
    result = _scan("cfn-sam-templates")
    policies = {b.policy.name: b.policy for b in result.graph.bindings}
    sns = policies["SAM SNSCrudPolicy"]
    assert [([a.text for a in g.actions], [r.text for r in g.resources]) for g in sns.grants] == [
        (
            ["sns:ListSubscriptionsByTopic", "sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Publish"],
            ["arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alerts*"],
        )
    ]
    assert len(policies["SAM KinesisStreamReadPolicy"].grants) == 2
    # SAM's template is conditioned on the rotation function: not read wider than SAM makes it
    rotation = policies["SAM AWSSecretsManagerRotationPolicy"]
    assert (rotation.grants, rotation.unresolved) == (
        [],
        "SAM policy template AWSSecretsManagerRotationPolicy is not in jeplint's table",
    )


def test_sam_attaches_its_own_managed_policies_to_the_role_it_makes(in_root: Path) -> None:
    result = _scan("cfn-sam-templates")
    assert [held for held in _held(result, "ConsumerRole (SAM role of Consumer)") if "SAM makes" in held[1]] == [
        ("AWSLambdaBasicExecutionRole", "role SAM makes for Consumer (always)"),
        ("AWSLambdaSQSQueueExecutionRole", "role SAM makes for Consumer (event Work, SQS)"),  # not the Schedule event
        ("AWSLambdaVPCAccessExecutionRole", "role SAM makes for Consumer (VpcConfig)"),
        ("AWSXrayWriteOnlyAccess", "role SAM makes for Consumer (Tracing)"),
    ]


def test_argo_rollouts_and_openshift_deployment_configs_run_as_their_serviceaccount(in_root: Path) -> None:
    result = _scan("k8s-rollout", ("JEP303",))
    assert sorted((w.kind, w.name, w.identity.name) for w in result.graph.workloads) == [
        ("DeploymentConfig", "shop/legacy", "shop/checkout"),
        ("Rollout", "shop/checkout", "shop/checkout"),
    ]


def test_unrendered_chart_namespaces_are_the_install_namespace(in_root: Path) -> None:
    result = _scan("k8s-helm-chart")
    accounts = {i.key: _held(result, i.name) for i in result.graph.identities if i.kind == "serviceaccount"}
    assert accounts == {  # before: bound to a ServiceAccount in namespace "{{ .Release.Namespace }}", declared ones clean
        'sa:@apply/{{ include "app.fullname" . }}': [("app-secrets", "ClusterRoleBinding app-secrets")],
        "sa:@apply/worker": [("app-secrets", "ClusterRoleBinding worker-secrets")],
    }
    assert [i.span.path.rsplit("/", 1)[-1] for i in result.graph.identities if i.kind == "serviceaccount"] == [
        "sa.yaml",
        "sa2.yaml",
    ]


def test_the_role_sam_makes_is_named_by_its_logical_id(in_root: Path) -> None:
    result = _scan("cfn-sam-role-names")
    assert _held(result, "IngestRole (SAM role of Ingest)") == [
        ("AWSLambdaBasicExecutionRole", "role SAM makes for Ingest (always)"),
        ("DataKey", "key policy of DataKey names it as a principal"),
        ("IngestWrites", "Roles of IngestWrites"),
    ]
    assert [(f.rule_id, f.span.line, f.message.split(" can ")[0]) for f in result.findings] == [
        ("JEP105", 18, "role IngestRole (SAM role of Ingest)"),  # before: a policy attached to no identity
        ("JEP102", 26, "role IngestRole (SAM role of Ingest)"),  # before: missed
    ]
    assert result.graph.unresolved == []
