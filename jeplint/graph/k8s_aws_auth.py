"""Amazon EKS's `aws-auth` ConfigMap (`kube-system`): the IAM roles and users it maps to Kubernetes
users and groups (`data.mapRoles`, `data.mapUsers`, each a YAML list written in a string).

Each entry signs its IAM principal in as the Kubernetes user `username` (the ARN when none is
given), a member of `groups`. So the user holds what the scan binds to that user and to those
groups, and `system:masters` is cluster-admin (Kubernetes' built-in ClusterRoleBinding
`cluster-admin` binds that group, and the group bypasses RBAC). The IAM principal, when the scan
declares it, acts as that user (a `Link`), so findings about the user lead back to the role.

Positions: the entries are read from the string, so their lines are exact for a `|` block (the usual
form); their columns assume the block is indented two spaces below its key.
"""

from __future__ import annotations

from collections.abc import Callable

from jeplint.graph.model import Binding, Graph, Identity, Link, Policy
from jeplint.parse.nodes import Mapping, Node, ParseError, Scalar, Sequence, Span

FIELDS = {"mapRoles": ("rolearn", "role"), "mapUsers": ("userarn", "user")}
MASTERS = "system:masters"


def is_aws_auth(obj: Mapping, namespace: str) -> bool:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    kind = obj.get("kind")
    return (
        isinstance(kind, Scalar)
        and kind.value == "ConfigMap"
        and isinstance(name, Scalar)
        and name.value == "aws-auth"
        and namespace in ("kube-system", "@apply")
    )


def entries(obj: Mapping, invalid: list[tuple[Span, str]]) -> list[tuple[str, str, Mapping]]:
    """(field, ARN key, entry) for every entry of mapRoles and mapUsers, placed in the file."""
    data = obj.get("data")
    out = []
    for field, (arn_key, _kind) in FIELDS.items():
        raw = data.items.get(field) if isinstance(data, Mapping) else None
        if not isinstance(raw, Scalar) or not isinstance(raw.value, str) or not raw.value.strip():
            continue
        from jeplint.parse.yamlpos import load_yaml

        try:
            docs = load_yaml(raw.value, raw.span.path)
        except ParseError as exc:
            invalid.append((raw.span, f"not analysed: aws-auth {field} is not valid YAML: {exc.reason}"))
            continue
        key_col = data.key_spans[field].col if isinstance(data, Mapping) else raw.span.col
        listed = docs[0] if docs else None
        for entry in listed.items if isinstance(listed, Sequence) else []:
            if isinstance(entry, Mapping):
                _place(entry, raw.span, key_col)
                out.append((field, arn_key, entry))
    return out


def _place(node: Node, outer: Span, key_col: int) -> None:
    """Move spans read inside the string to the file: lines below the `|`, columns indented."""
    block = outer.end_line > outer.line
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        current.span = _moved(current.span, outer, key_col, block)
        if isinstance(current, Mapping):
            current.key_spans = {k: _moved(s, outer, key_col, block) for k, s in current.key_spans.items()}
            stack.extend(current.items.values())
        elif isinstance(current, Sequence):
            stack.extend(current.items)


def _moved(span: Span, outer: Span, key_col: int, block: bool) -> Span:
    if not block:  # a quoted or flow string: its inner positions are not the file's
        return outer
    shift = key_col + 1
    return Span(outer.path, outer.line + span.line, span.col + shift, outer.line + span.end_line, span.end_col + shift)


def _text(node: Node | None) -> str:
    return str(node.value) if isinstance(node, Scalar) and node.value is not None else ""


def add_mappings(
    graph: Graph,
    obj: Mapping,
    subject: Callable[[str, str], Identity],
    cluster_admin: Callable[[Span], Policy | None],
) -> None:
    """Bindings and links of one aws-auth ConfigMap; `subject(kind, name)` gives the Kubernetes user
    or group of that name, `cluster_admin(span)` the ClusterRole cluster-admin."""
    declared = [i for i in graph.identities if i.platform == "aws" and i.span is not None]
    group_bindings: dict[str, list[Binding]] = {}
    for binding in graph.bindings:
        if binding.identity.kind == "k8s-group":
            group_bindings.setdefault(binding.identity.name, []).append(binding)
    for field, arn_key, entry in entries(obj, graph.invalid):
        arn = _text(entry.get(arn_key))
        if not arn:
            continue
        user = subject("User", _text(entry.get("username")) or arn)
        via = f"aws-auth {field} entry for {arn}"
        kind = FIELDS[field][1]
        principal = next((i for i in declared if i.kind == kind and i.name == arn.rsplit("/", 1)[-1]), None)
        if principal is not None:
            graph.links.append(Link(principal, user, entry.items[arn_key].span, f"aws-auth {field} entry"))
        groups = entry.get("groups")
        for item in groups.items if isinstance(groups, Sequence) else []:
            name = _text(item)
            if name == MASTERS:
                admin = cluster_admin(item.span)
                if admin is not None:
                    graph.bindings.append(Binding(user, admin, item.span, f"{via} (group {MASTERS})", scope_kind="cluster"))
                continue
            for binding in group_bindings.get(name, []):
                graph.bindings.append(member_binding(binding, user, item.span, f"{binding.via} ({via}, group {name})"))


def member_binding(binding: Binding, member: Identity, span: Span, via: str) -> Binding:
    """The group's `binding`, held by `member` of that group."""
    return Binding(
        member, binding.policy, span, via, scope_kind=binding.scope_kind, namespace=binding.namespace, group=binding.identity
    )
