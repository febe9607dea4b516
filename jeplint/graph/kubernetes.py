"""Kubernetes manifests -> ServiceAccounts, (Cluster)Roles, bindings and workloads.

All manifests of one scan are treated as one cluster: a RoleBinding in one file binds a Role and a
ServiceAccount declared in others. A workload without `serviceAccountName` runs as its namespace's
`default` ServiceAccount, which exists even when no manifest declares it.

A manifest object without `metadata.namespace` lands in the namespace chosen when it is applied
(`kubectl apply -n`, kustomize, Helm, Argo CD), not necessarily `default`: its key holds
`APPLY_NAMESPACE` and its words say "namespace set at apply". Objects without a namespace of one
scan are read as applied together: a RoleBinding without one binds the ServiceAccount subject
without one in the same namespace. Terraform's `kubernetes_*` resources default to `default`.
"""

from __future__ import annotations

from jeplint.catalog.k8s import AGGREGATE_LABEL, AGGREGATES_FROM, BUILTIN_CLUSTER_ROLES
from jeplint.graph.k8s_aws_auth import add_mappings, is_aws_auth, member_binding
from jeplint.graph.model import Binding, Grant, Graph, Identity, Link, Policy, TokenMount, Value, Workload
from jeplint.graph.names import APPLY_NAMESPACE, helm_text, qualified
from jeplint.graph.policy import identity_resolve, values_of
from jeplint.parse import ParsedFile
from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence, Span

WORKLOAD_POD_SPEC = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),  # Argo Rollouts
    "DeploymentConfig": ("spec", "template", "spec"),  # OpenShift
}


# Annotation -> (platform, kind) of the cloud identity a ServiceAccount acts as.
LINK_ANNOTATIONS = {
    "eks.amazonaws.com/role-arn": ("aws", "role"),
    "iam.gke.io/gcp-service-account": ("gcp", "serviceaccount"),
    "azure.workload.identity/client-id": ("azure", "managed-identity"),
}


def _cloud_identity(cloud: list[Identity], platform: str, kind: str, value: str) -> Identity | None:
    """The declared cloud identity an annotation value names: a key (Terraform), an ARN, an email."""
    if value.startswith("identity:"):
        return next((i for i in cloud if i.key == value[len("identity:") :]), None)
    if platform == "aws":
        name = value.rsplit("/", 1)[-1]
    elif platform == "gcp":
        name = value.split("@", 1)[0]
    else:
        name = value
    return next((i for i in cloud if i.platform == platform and i.kind == kind and i.name == name and i.span is not None), None)


def namespace_of(obj: Mapping, default: str = APPLY_NAMESPACE) -> str:
    """The object's `metadata.namespace`, else `default` (the namespace set at apply for a manifest)."""
    written = text(get(obj, "metadata", "namespace"), default)
    return default if "{{" in written else written  # a chart's `"{{ .Release.Namespace }}"`: set at install


def get(node: Node | None, *path: str) -> Node | None:
    """The node at `path` (mapping keys) below `node`, or None."""
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.items.get(key)
    return node


def text(node: Node | None, default: str = "") -> str:
    """A scalar's value as text (`default` for anything else)."""
    return str(node.value) if isinstance(node, Scalar) and node.value is not None else default


class KubernetesExtractor:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.accounts: dict[str, Identity] = {}
        self.roles: dict[str, Policy] = {}
        self.annotation_spans: dict[tuple[str, str], Span] = {}
        self.labels: dict[str, dict[str, str]] = {}  # ClusterRole key -> its labels
        self.selectors: dict[str, list[dict[str, str]]] = {}  # aggregated ClusterRole key -> matchLabels
        self.terraform: set[int] = set()  # objects from Terraform, whose namespace defaults to `default`
        self.automount: dict[str, str] = {}  # ServiceAccount key -> its automountServiceAccountToken

    def add(self, files: list[ParsedFile], extra: list[Mapping] | None = None) -> None:
        """Manifests of `files` plus `extra` objects (from Terraform), as one cluster."""
        manifest_objects = [obj for parsed in files for doc in parsed.documents for obj in objects(doc)] + (extra or [])
        self.terraform = {id(obj) for obj in extra or []}
        for obj in manifest_objects:
            kind = text(obj.get("kind"))
            if kind == "ServiceAccount":
                self._account(obj)
            elif kind in ("Role", "ClusterRole"):
                self._role(obj, kind)
        self._aggregate()
        for obj in manifest_objects:
            kind = text(obj.get("kind"))
            if kind in ("RoleBinding", "ClusterRoleBinding"):
                self._binding(obj, kind)
            elif kind in WORKLOAD_POD_SPEC:
                self._workload(obj, kind)
        for obj in manifest_objects:
            if is_aws_auth(obj, self._namespace(obj)):
                add_mappings(self.graph, obj, self._named_subject, self._cluster_admin)
        self._group_members()
        self._links()

    def _group_members(self) -> None:
        """ServiceAccounts hold what is bound to the groups Kubernetes puts them in:
        `system:serviceaccounts:<ns>` (those of one namespace), `system:serviceaccounts` and
        `system:authenticated` (all of them). A ServiceAccount whose namespace is set at apply is
        counted only in the cluster-wide groups (which namespace it lands in is not known)."""
        accounts = [a for a in self.accounts.values() if a.kind == "serviceaccount"]
        for binding in [b for b in self.graph.bindings if b.identity.kind == "k8s-group"]:
            group = binding.identity.name
            if group in ("system:serviceaccounts", "system:authenticated"):
                members = accounts
            elif group.startswith("system:serviceaccounts:"):
                ns = group.removeprefix("system:serviceaccounts:")
                members = [a for a in accounts if a.key.startswith(f"sa:{ns}/")]
            else:
                continue
            for account in members:
                self.graph.bindings.append(
                    member_binding(binding, account, binding.span, f"{binding.via} (member of group {group})")
                )

    def _namespace(self, obj: Mapping) -> str:
        return namespace_of(obj, "default" if id(obj) in self.terraform else APPLY_NAMESPACE)

    def _account(self, obj: Mapping) -> None:
        ns, name = self._namespace(obj), text(get(obj, "metadata", "name")) or helm_text(get(obj, "metadata", "name"))
        key = f"sa:{ns}/{name}"
        if key in self.accounts:
            return
        annotations = get(obj, "metadata", "annotations")
        tags = {k: text(v) for k, v in annotations.items.items()} if isinstance(annotations, Mapping) else {}
        if isinstance(annotations, Mapping):
            for annotation, value in annotations.items.items():
                self.annotation_spans[(key, annotation)] = value.span
        identity = Identity("kubernetes", "serviceaccount", qualified(ns, name), key, _name_span(obj), tags)
        identity.tag_spans = {a: s for (k, a), s in self.annotation_spans.items() if k == key}
        labels = get(obj, "metadata", "labels")
        identity.labels = {k: text(v) for k, v in labels.items.items()} if isinstance(labels, Mapping) else {}
        self.automount[key] = _setting(obj.get("automountServiceAccountToken"))
        self.accounts[key] = identity
        self.graph.identities.append(identity)

    def _links(self) -> None:
        """ServiceAccounts that act as a cloud identity (IRSA, GKE and Azure workload identity)."""
        cloud = [i for i in self.graph.identities if i.platform != "kubernetes"]
        for account in [a for a in self.accounts.values() if a.kind == "serviceaccount" and a.tags]:
            for annotation, (platform, kind) in LINK_ANNOTATIONS.items():
                value = account.tags.get(annotation)
                if not value:
                    continue
                target = _cloud_identity(cloud, platform, kind, value)
                if target is not None:
                    span = self.annotation_spans.get((account.key, annotation), account.span)
                    self.graph.links.append(Link(account, target, span, f"annotation {annotation}"))  # type: ignore[arg-type]

    def _subject(self, subject: Node, binding_ns: str) -> Identity | None:
        if not isinstance(subject, Mapping):
            return None
        kind, name = text(subject.get("kind")), text(subject.get("name")) or helm_text(subject.get("name"))
        if not name:
            return None
        if kind == "ServiceAccount":
            written = subject.get("namespace")
            namespace = text(written) or binding_ns
            if helm_text(written) or "{{" in namespace:  # a chart's `{{ .Release.Namespace }}`: set at install
                namespace = APPLY_NAMESPACE
            return self._account_ref(namespace, name)
        if kind in ("User", "Group"):
            key = f"{kind.lower()}:{name}"
            if key not in self.accounts:
                self.accounts[key] = Identity("kubernetes", f"k8s-{kind.lower()}", name, key, None)
                self.graph.identities.append(self.accounts[key])
            return self.accounts[key]
        return None

    def _named_subject(self, kind: str, name: str) -> Identity:
        """The Kubernetes user or group of that name (an aws-auth mapping's user)."""
        identity = self._subject(Mapping({"kind": Scalar(kind, _NOWHERE), "name": Scalar(name, _NOWHERE)}, {}, _NOWHERE), "")
        assert identity is not None  # a User or Group with a name always is one
        return identity

    def _cluster_admin(self, span: Span) -> Policy | None:
        ref = Mapping({"kind": Scalar("ClusterRole", span), "name": Scalar("cluster-admin", span)}, {"name": span}, span)
        return self._role_ref(ref, "")

    def _account_ref(self, ns: str, name: str) -> Identity:
        key = f"sa:{ns}/{name}"
        if key not in self.accounts:
            self.accounts[key] = Identity("kubernetes", "serviceaccount", qualified(ns, name), key, None)
            self.graph.identities.append(self.accounts[key])
        return self.accounts[key]

    def _role(self, obj: Mapping, kind: str) -> None:
        name = text(get(obj, "metadata", "name"))
        key = f"{kind}:{self._namespace(obj)}/{name}" if kind == "Role" else f"ClusterRole:{name}"
        display = qualified(self._namespace(obj), name) if kind == "Role" else name
        policy = Policy("kubernetes", kind, display, key, _name_span(obj))
        rules = obj.get("rules")
        for index, rule in enumerate(rules.items if isinstance(rules, Sequence) else [], start=1):
            grant = Grant(policy=policy, index=index, span=rule.span)
            if isinstance(rule, Mapping):
                for field, attr in (
                    ("apiGroups", "api_groups"),
                    ("resources", "resources"),
                    ("verbs", "actions"),
                    ("resourceNames", "resource_names"),
                ):
                    if field in rule.items:
                        setattr(grant, attr, values_of(rule.items[field], identity_resolve))
                        grant.key_spans[field] = rule.key_spans[field]
                if "nonResourceURLs" in rule.items:
                    grant.resources += values_of(rule.items["nonResourceURLs"], identity_resolve)
                    grant.key_spans["nonResourceURLs"] = rule.key_spans["nonResourceURLs"]
            policy.grants.append(grant)
        self.roles.setdefault(key, policy)
        self.graph.policies.append(policy)
        labels = get(obj, "metadata", "labels")
        if kind == "ClusterRole" and isinstance(labels, Mapping):
            self.labels[key] = {k: text(v) for k, v in labels.items.items()}
        selectors = get(obj, "aggregationRule", "clusterRoleSelectors")
        if kind == "ClusterRole" and isinstance(selectors, Sequence):
            self.selectors[key] = [
                {k: text(v) for k, v in match.items.items()}
                for match in (get(sel, "matchLabels") for sel in selectors.items)
                if isinstance(match, Mapping)
            ]

    def _aggregate(self) -> None:
        """Aggregated ClusterRoles take the rules of every ClusterRole whose labels match a selector."""
        for key, selectors in self.selectors.items():
            target = self.roles[key]
            for source_key, labels in sorted(self.labels.items()):
                if source_key != key and any(all(labels.get(k) == v for k, v in sel.items()) for sel in selectors if sel):
                    _copy_rules(self.roles[source_key], target)

    def _builtin_aggregation(self, policy: Policy) -> None:
        """Declared ClusterRoles labelled aggregate-to-view/edit/admin extend the built-in role."""
        for level in AGGREGATES_FROM.get(policy.name, ()):
            label = AGGREGATE_LABEL.format(level)
            for source_key, labels in sorted(self.labels.items()):
                if labels.get(label) == "true":
                    _copy_rules(self.roles[source_key], policy)

    def _role_ref(self, ref: Node | None, ns: str) -> Policy | None:
        kind, name = text(get(ref, "kind")), text(get(ref, "name"))
        key = f"Role:{ns}/{name}" if kind == "Role" else f"ClusterRole:{name}"
        if key in self.roles:
            return self.roles[key]
        if kind != "ClusterRole" or ref is None:
            return None
        span = ref.items["name"].span if isinstance(ref, Mapping) and "name" in ref.items else ref.span
        policy = Policy("kubernetes", "k8s-builtin", name, key, None)
        if name in BUILTIN_CLUSTER_ROLES or name.startswith("system:"):
            for index, rule in enumerate(BUILTIN_CLUSTER_ROLES.get(name, []), start=1):
                grant = Grant(policy=policy, index=index, span=span)
                grant.api_groups = [Value(v, span) for v in rule.get("apiGroups", [])]
                grant.resources = [Value(v, span) for v in rule.get("resources", []) + rule.get("nonResourceURLs", [])]
                grant.actions = [Value(v, span) for v in rule["verbs"]]
                policy.grants.append(grant)
            self._builtin_aggregation(policy)
            if not policy.grants:
                policy.unresolved = f"rules of built-in ClusterRole {name} are not in jeplint's table"
        else:
            policy.kind = "ClusterRole"
            policy.unresolved = f"ClusterRole {name} is not declared in the scan"
        self.roles[key] = policy
        self.graph.policies.append(policy)
        return policy

    def _binding(self, obj: Mapping, kind: str) -> None:
        ns = self._namespace(obj)
        policy = self._role_ref(obj.get("roleRef"), ns)
        if policy is None:
            return
        name = text(get(obj, "metadata", "name"))
        via = f"{kind} {qualified(ns, name)}" if kind == "RoleBinding" else f"{kind} {name}"
        subjects = obj.get("subjects")
        for subject in subjects.items if isinstance(subjects, Sequence) else []:
            identity = self._subject(subject, ns)
            if identity is not None:
                namespaced = kind == "RoleBinding"
                self.graph.bindings.append(
                    Binding(
                        identity,
                        policy,
                        subject.span,
                        via,
                        scope_kind="namespace" if namespaced else "cluster",
                        namespace=ns if namespaced else "",
                    )
                )

    def _workload(self, obj: Mapping, kind: str) -> None:
        spec = get(obj, *WORKLOAD_POD_SPEC[kind])
        if not isinstance(spec, Mapping):
            return
        account = text(spec.get("serviceAccountName")) or text(spec.get("serviceAccount")) or "default"
        ns = self._namespace(obj)
        identity = self._account_ref(ns, account)
        name = text(get(obj, "metadata", "name"))
        workload = Workload("kubernetes", kind, qualified(ns, name), _name_span(obj), identity)
        workload.token = TokenMount(
            _setting(spec.get("automountServiceAccountToken")),
            self.automount.get(identity.key, "unset"),
            spec.span,
            min(spec.key_spans.values(), key=lambda s: (s.line, s.col), default=None),
            _token_uses(obj, kind, spec, identity),
        )
        self.graph.workloads.append(workload)


TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
_NOWHERE = Span("", 0, 0, 0, 0)


def _setting(node: Node | None) -> str:
    """An `automountServiceAccountToken` as written: unset, true, false or unknown."""
    if node is None:
        return "unset"
    if isinstance(node, Scalar) and isinstance(node.value, bool):
        return "true" if node.value else "false"
    return "unknown"


def _token_uses(obj: Mapping, kind: str, spec: Mapping, identity: Identity) -> tuple[str, ...]:
    """What says a workload may use a token: Vault Agent injector annotations (it logs in to Vault
    with the ServiceAccount token), a projected service-account token volume, a container mounting
    the token's folder itself, a ServiceAccount that acts as a cloud identity."""
    uses = []
    template = get(obj, *WORKLOAD_POD_SPEC[kind][:-1], "metadata", "annotations")
    if isinstance(template, Mapping) and any(k.startswith("vault.hashicorp.com/") for k in template.items):
        uses.append("Vault Agent injector annotations")
    volumes = spec.get("volumes")
    for volume in volumes.items if isinstance(volumes, Sequence) else []:
        sources = get(volume, "projected", "sources")
        if isinstance(sources, Sequence) and any(get(source, "serviceAccountToken") is not None for source in sources.items):
            uses.append("a projected service-account token volume")
    for field in ("containers", "initContainers", "ephemeralContainers"):
        containers = spec.get(field)
        for container in containers.items if isinstance(containers, Sequence) else []:
            mounts = get(container, "volumeMounts")
            paths = [text(get(m, "mountPath")) for m in (mounts.items if isinstance(mounts, Sequence) else [])]
            if any(p.rstrip("/").startswith(TOKEN_PATH.rsplit("/", 1)[0]) for p in paths):
                uses.append("a container mounting the token's folder")
    uses += [f"annotation {a} on its ServiceAccount" for a in LINK_ANNOTATIONS if a in identity.tags]
    return tuple(dict.fromkeys(uses))


def _copy_rules(source: Policy, target: Policy) -> None:
    """Append `source`'s rules to `target` (spans stay where the rules are written)."""
    for grant in source.grants:
        copy = Grant(policy=target, index=len(target.grants) + 1, span=grant.span)
        copy.actions, copy.resources, copy.api_groups, copy.resource_names = (
            grant.actions,
            grant.resources,
            grant.api_groups,
            grant.resource_names,
        )
        copy.key_spans = grant.key_spans
        target.grants.append(copy)


def objects(doc: Node) -> list[Mapping]:
    """A manifest's objects: the document itself, or the items of a `kind: List`."""
    if not isinstance(doc, Mapping):
        return []
    items = doc.get("items")
    if text(doc.get("kind")).endswith("List") and isinstance(items, Sequence):
        return [item for item in items.items if isinstance(item, Mapping)]
    return [doc]


def _name_span(obj: Mapping) -> Span:
    name = get(obj, "metadata", "name")
    return name.span if name is not None else obj.span
