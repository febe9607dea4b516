"""CloudFormation (and SAM) templates -> identities, policies and bindings.

A template is self-contained: `Ref` and `Fn::GetAtt` name logical ids of the same template.
Intrinsics are resolved where the template itself decides the value (parameter defaults, `Fn::Sub`
and `Fn::Join` of known parts, `AWS::Partition`); everything else stays an unresolved value, so an
intrinsic inside an action list never breaks the rest of the statement.
"""

from __future__ import annotations

import re

from jeplint.graph.aws_managed import managed_policy
from jeplint.graph.model import Binding, Graph, Identity, Policy, Value
from jeplint.graph.policy import grants_from_document
from jeplint.parse import ParsedFile
from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence, Span

IDENTITY_TYPES = {
    "AWS::IAM::Role": ("role", "RoleName"),
    "AWS::IAM::User": ("user", "UserName"),
    "AWS::IAM::Group": ("group", "GroupName"),
}
STANDALONE_POLICY_TYPES = {"AWS::IAM::Policy": "PolicyName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName"}
SINGLE_POLICY_TYPES = {
    "AWS::IAM::RolePolicy": ("role", "RoleName"),
    "AWS::IAM::UserPolicy": ("user", "UserName"),
    "AWS::IAM::GroupPolicy": ("group", "GroupName"),
}
_PLACEHOLDER = re.compile(r"\$\{([^}!][^}]*)\}")
_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}


class Template:
    """One CloudFormation template with its intrinsic-function resolver."""

    def __init__(self, path: str, root: Mapping) -> None:
        self.path = path
        resources = root.get("Resources")
        self.resources: dict[str, Mapping] = {
            k: v for k, v in (resources.items.items() if isinstance(resources, Mapping) else []) if isinstance(v, Mapping)
        }
        # The logical id key is the most useful anchor for a whole resource.
        self.key_spans: dict[str, Span] = resources.key_spans if isinstance(resources, Mapping) else {}
        params = root.get("Parameters")
        self.defaults: dict[str, Node] = {}
        for name, param in params.items.items() if isinstance(params, Mapping) else []:
            if isinstance(param, Mapping) and "Default" in param.items:
                self.defaults[name] = param.items["Default"]

    def type_of(self, logical: str) -> str:
        kind = self.resources[logical].get("Type") if logical in self.resources else None
        return str(kind.value) if isinstance(kind, Scalar) else ""

    def properties(self, logical: str) -> Mapping | None:
        props = self.resources[logical].get("Properties")
        return props if isinstance(props, Mapping) else None

    # -- intrinsics ------------------------------------------------------------------------------

    def resolve(self, node: Node) -> Node:
        if not isinstance(node, Mapping) or len(node.items) != 1:
            return node
        (fn, arg), = node.items.items()
        if fn == "Ref" and isinstance(arg, Scalar):
            name = str(arg.value)
            if name in self.defaults:
                return self.defaults[name]
            if name in _PSEUDO:
                return Scalar(_PSEUDO[name], node.span)
        elif fn == "Fn::Sub":
            text, unknown = self._sub(arg)
            if text is not None and not unknown:
                return Scalar(text, node.span)
        elif fn == "Fn::Join" and isinstance(arg, Sequence) and len(arg.items) == 2:
            sep, parts = self.resolve(arg.items[0]), self.resolve(arg.items[1])
            if isinstance(sep, Scalar) and isinstance(parts, Sequence):
                resolved = [self.resolve(p) for p in parts.items]
                if all(isinstance(p, Scalar) for p in resolved):
                    return Scalar(str(sep.value).join(str(p.value) for p in resolved), node.span)  # type: ignore[union-attr]
        return node

    def _sub(self, arg: Node) -> tuple[str | None, bool]:
        """Fn::Sub -> (text with unknown placeholders kept, whether any stayed unknown)."""
        variables: dict[str, Node] = {}
        if isinstance(arg, Sequence) and len(arg.items) == 2 and isinstance(arg.items[1], Mapping):
            variables = dict(arg.items[1].items)
            arg = arg.items[0]
        if not isinstance(arg, Scalar) or not isinstance(arg.value, str):
            return None, True
        unknown = False

        def replace(match: re.Match[str]) -> str:
            nonlocal unknown
            name = match.group(1)
            value = self.resolve(variables[name]) if name in variables else None
            if value is None and name in _PSEUDO:
                return _PSEUDO[name]
            if value is None and name in self.defaults:
                value = self.resolve(self.defaults[name])
            if isinstance(value, Scalar):
                return str(value.value)
            unknown = True
            return match.group(0)

        return _PLACEHOLDER.sub(replace, arg.value), unknown

    def render(self, node: Node) -> Value | None:
        if isinstance(node, Mapping) and "Fn::Sub" in node.items and len(node.items) == 1:
            text, _ = self._sub(node.items["Fn::Sub"])
            if text is not None:
                return Value(text, node.span, unresolved="Fn::Sub", partial=True)
        return None

    def logical_ref(self, node: Node) -> str | None:
        """The logical id a `Ref` / `Fn::GetAtt` names, if it is a resource of this template."""
        if isinstance(node, Mapping) and len(node.items) == 1:
            (fn, arg), = node.items.items()
            target = None
            if fn == "Ref" and isinstance(arg, Scalar):
                target = str(arg.value)
            elif fn == "Fn::GetAtt":
                first = arg.items[0] if isinstance(arg, Sequence) and arg.items else arg
                if isinstance(first, Scalar):
                    target = str(first.value).split(".")[0]
            if target in self.resources:
                return target
        return None


class CloudFormationExtractor:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.by_name: dict[tuple[str, str], Identity] = {}

    def add(self, files: list[ParsedFile]) -> None:
        for parsed in files:
            for doc in parsed.documents:
                if isinstance(doc, Mapping):
                    self._template(Template(parsed.path, doc))

    def _template(self, tpl: Template) -> None:
        identities: dict[str, Identity] = {}
        for logical, resource in tpl.resources.items():
            kind_name = IDENTITY_TYPES.get(tpl.type_of(logical))
            if tpl.type_of(logical) == "AWS::Serverless::Function":
                kind_name = ("role", "")
            if kind_name is None:
                continue
            kind, name_prop = kind_name
            props = tpl.properties(logical)
            name = tpl.resolve(props.items[name_prop]) if props and name_prop in props.items else None
            if tpl.type_of(logical) == "AWS::Serverless::Function":
                if props is not None and "Role" in props.items:
                    continue  # runs as a role declared elsewhere
                display = f"{logical}Role (SAM role of {logical})"
            else:
                display = str(name.value) if isinstance(name, Scalar) else logical
            identity = Identity("aws", kind, display, f"{tpl.path}#{logical}", _key_span(tpl, logical))
            identities[logical] = identity
            self.by_name.setdefault((kind, display), identity)
            self.graph.identities.append(identity)
        for logical, identity in identities.items():
            self._identity_policies(tpl, logical, identity)
        for logical in tpl.resources:
            rtype = tpl.type_of(logical)
            if rtype in STANDALONE_POLICY_TYPES:
                self._standalone(tpl, logical, identities, STANDALONE_POLICY_TYPES[rtype])
            elif rtype in SINGLE_POLICY_TYPES:
                self._single(tpl, logical, identities)

    def _identity_policies(self, tpl: Template, logical: str, identity: Identity) -> None:
        props = tpl.properties(logical)
        if props is None:
            return
        inline = tpl.resolve(props.items["Policies"]) if "Policies" in props.items else None
        for index, entry in enumerate(inline.items if isinstance(inline, Sequence) else [inline] if inline else [], start=1):
            entry = tpl.resolve(entry)
            if isinstance(entry, Mapping) and "PolicyDocument" in entry.items:  # IAM inline policy
                name = tpl.resolve(entry.items.get("PolicyName") or entry)
                display = str(name.value) if isinstance(name, Scalar) else f"{logical} policy {index}"
                doc = entry.items["PolicyDocument"]
            elif isinstance(entry, Mapping) and "Statement" in entry.items:  # SAM inline document
                display, doc = f"{logical} policy {index}", entry
            elif isinstance(entry, Scalar) and isinstance(entry.value, str):  # SAM managed policy name/ARN
                arn = entry.value if entry.value.startswith("arn:") else f"arn:aws:iam::aws:policy/{entry.value}"
                policy = managed_policy(self.graph, arn, entry.span)
                if policy is not None:
                    self.graph.bindings.append(Binding(identity, policy, entry.span, f"Policies of {logical}"))
                continue
            else:
                continue  # SAM policy templates: graph-depth issue
            policy = Policy("aws", "inline", display, f"{tpl.path}#{logical}/Policies/{index}", entry.span)
            grants_from_document(policy, doc, tpl.resolve, tpl.render)
            self.graph.policies.append(policy)
            self.graph.bindings.append(Binding(identity, policy, entry.span, f"Policies of {logical}"))
        arns = tpl.resolve(props.items["ManagedPolicyArns"]) if "ManagedPolicyArns" in props.items else None
        for item in arns.items if isinstance(arns, Sequence) else []:
            self._attach_arn(tpl, identity, item, f"ManagedPolicyArns of {logical}")

    def _attach_arn(self, tpl: Template, identity: Identity, item: Node, via: str) -> None:
        target = tpl.logical_ref(item)
        if target is not None:
            policy = next((p for p in self.graph.policies if p.key == f"{tpl.path}#{target}"), None)
            if policy is None and tpl.type_of(target) == "AWS::IAM::ManagedPolicy":
                policy = self._make_standalone(tpl, target, "ManagedPolicyName")
            if policy is not None:
                self.graph.bindings.append(Binding(identity, policy, item.span, via))
            return
        value = tpl.resolve(item)
        if isinstance(value, Scalar) and isinstance(value.value, str):
            policy = managed_policy(self.graph, value.value, item.span)
            if policy is not None:
                self.graph.bindings.append(Binding(identity, policy, item.span, via))

    def _make_standalone(self, tpl: Template, logical: str, name_prop: str) -> Policy:
        key = f"{tpl.path}#{logical}"
        for policy in self.graph.policies:
            if policy.key == key:
                return policy
        props = tpl.properties(logical)
        name = tpl.resolve(props.items[name_prop]) if props and name_prop in props.items else None
        display = str(name.value) if isinstance(name, Scalar) else logical
        kind = "managed" if tpl.type_of(logical) == "AWS::IAM::ManagedPolicy" else "inline"
        policy = Policy("aws", kind, display, key, _key_span(tpl, logical))
        if props is not None and "PolicyDocument" in props.items:
            grants_from_document(policy, props.items["PolicyDocument"], tpl.resolve, tpl.render)
        else:
            policy.unresolved = "no PolicyDocument"
        self.graph.policies.append(policy)
        return policy

    def _standalone(self, tpl: Template, logical: str, identities: dict[str, Identity], name_prop: str) -> None:
        policy = self._make_standalone(tpl, logical, name_prop)
        props = tpl.properties(logical)
        for prop, kind in (("Roles", "role"), ("Users", "user"), ("Groups", "group")):
            node = tpl.resolve(props.items[prop]) if props and prop in props.items else None
            for item in node.items if isinstance(node, Sequence) else []:
                identity = self._identity(tpl, identities, kind, item)
                if identity is not None:
                    self.graph.bindings.append(Binding(identity, policy, item.span, f"{prop} of {logical}"))

    def _single(self, tpl: Template, logical: str, identities: dict[str, Identity]) -> None:
        kind, prop = SINGLE_POLICY_TYPES[tpl.type_of(logical)]
        policy = self._make_standalone(tpl, logical, "PolicyName")
        props = tpl.properties(logical)
        if props is not None and prop in props.items:
            identity = self._identity(tpl, identities, kind, props.items[prop])
            if identity is not None:
                self.graph.bindings.append(Binding(identity, policy, props.items[prop].span, f"{prop} of {logical}"))

    def _identity(self, tpl: Template, identities: dict[str, Identity], kind: str, node: Node) -> Identity | None:
        target = tpl.logical_ref(node)
        if target is not None:
            return identities.get(target)
        value = tpl.resolve(node)
        if isinstance(value, Scalar) and isinstance(value.value, str):
            name = value.value
            found = self.by_name.get((kind, name))
            if found is None:
                found = Identity("aws", kind, name, f"external:{kind}:{name}", None)
                self.by_name[(kind, name)] = found
                self.graph.identities.append(found)
            return found
        return None


def _key_span(tpl: Template, logical: str) -> Span:
    return tpl.key_spans.get(logical) or tpl.resources[logical].span
