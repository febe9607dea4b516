"""Kubernetes objects without `metadata.namespace` are in the namespace set at apply, not `default`
(testdata/graph/k8s-apply-namespace): keys, bindings and messages say so."""

from __future__ import annotations

from pathlib import Path

from jeplint.run import Settings, scan

FOLDER = "testdata/graph/k8s-apply-namespace"


def test_objects_without_namespace_are_keyed_at_apply(in_root: Path) -> None:
    graph = scan([FOLDER], Settings(select=("JEP1",))).graph
    accounts = {i.key: i.label for i in graph.identities if i.kind == "serviceaccount"}
    assert accounts == {
        "sa:@apply/worker": "serviceaccount worker (namespace set at apply)",
        "sa:default/worker": "serviceaccount default/worker",
    }
    bound = sorted((b.identity.key, b.policy.key, b.via, b.namespace) for b in graph.bindings)
    assert bound == [
        ("sa:@apply/worker", "Role:@apply/worker", "RoleBinding worker (namespace set at apply)", "@apply"),
        ("sa:default/worker", "ClusterRole:view", "RoleBinding default/reader", "default"),
    ]
    assert [(w.name, w.identity.key) for w in graph.workloads] == [("worker (namespace set at apply)", "sa:@apply/worker")]


def test_messages_say_namespace_set_at_apply(in_root: Path) -> None:
    findings = scan([FOLDER], Settings(select=("JEP104", "JEP402"))).findings
    assert [(f.rule_id, f.span.line, f.message) for f in findings] == [
        (
            "JEP104",
            16,
            'serviceaccount worker (namespace set at apply) can perform every verb ("*") on configmaps in API group core '
            "through Role worker (namespace set at apply), rule 1",
        ),
        (
            "JEP402",
            19,
            "serviceaccount worker (namespace set at apply) can escalate its privileges in the namespace set at apply "
            "through Role worker (namespace set at apply), rule 2: read secrets (list) lets it read Secrets, "
            "ServiceAccount tokens included",
        ),
    ]


def test_token_secret_without_namespace_belongs_to_the_account_set_at_apply(tmp_path: Path) -> None:
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ci\n---\n"
        "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\nmetadata:\n  name: ci-token\n"
        "  annotations:\n    kubernetes.io/service-account.name: ci\n"
    )
    (credential,) = scan([str(tmp_path)]).graph.credentials
    assert (credential.name, credential.identity and credential.identity.key) == (
        "Secret ci-token (namespace set at apply)",
        "sa:@apply/ci",
    )
