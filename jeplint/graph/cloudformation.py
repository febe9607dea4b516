"""CloudFormation (and SAM) templates -> identities, policies and bindings.

`Ref` and `Fn::GetAtt` name logical ids of the same template, or a parameter its parent stack in the
scan passes (`cfn_nested`); a reference that cannot be followed is counted in `graph.unresolved`.
Intrinsics are resolved where the template itself decides the value (parameter defaults, `Fn::Sub`
and `Fn::Join` of known parts, `AWS::Partition`); everything else stays an unresolved value, so an
intrinsic inside an action list never breaks the rest of the statement.

Size: a little over the usual 400 lines: one extractor's state (identities by logical id, pending
references to a parent stack's parameters, workloads made) is shared by every resource handler; the
resource families with tables of their own live beside it (`cfn_resources`, `cfn_workloads`, `sam`).
"""

from __future__ import annotations

from collections.abc import Callable

from jeplint.graph.aws_managed import managed_policy, managed_policy_by_name
from jeplint.graph.cfn_nested import link_nested_stacks
from jeplint.graph.cfn_resources import add_resource_policies
from jeplint.graph.cfn_template import Template, _branches, _intrinsic_text, _json_string, _key_span, _template_value
from jeplint.graph.cfn_workloads import WORKLOADS, nodes_at, sam_implied, takes_profile
from jeplint.graph.ecs import agent_uses
from jeplint.graph.model import Binding, Grant, Graph, Identity, Policy, Value, Workload
from jeplint.graph.names import aws_named
from jeplint.graph.policy import describe, grants_from_document
from jeplint.graph.sam import template
from jeplint.parse import ParsedFile
from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence, Span

Use = Callable[[Identity], None]
IDENTITY_TYPES = {
    "AWS::IAM::Role": ("role", "RoleName"),
    "AWS::IAM::User": ("user", "UserName"),
    "AWS::IAM::Group": ("group", "GroupName"),
}
STANDALONE_POLICY_TYPES = {
    "AWS::IAM::Policy": "PolicyName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IoT::Policy": "PolicyName",
}
SINGLE_POLICY_TYPES = {
    "AWS::IAM::RolePolicy": ("role", "RoleName"),
    "AWS::IAM::UserPolicy": ("user", "UserName"),
    "AWS::IAM::GroupPolicy": ("group", "GroupName"),
}
# SAM resources that make their own role from `Policies` unless they name a `Role`: the workload kind
SAM_ROLES = {"AWS::Serverless::Function": "Lambda function", "AWS::Serverless::StateMachine": "Step Functions state machine"}


class CloudFormationExtractor:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.by_name: dict[tuple[str, str], Identity] = {}
        self.declared: dict[int, dict[str, Identity]] = {}  # id(template) -> its identities by logical id
        self.templates: list[Template] = []
        self.runs: set[tuple[str, str, Span, str]] = set()  # workloads made (kind, name, where, identity)
        # references to a parameter no parent stack read so far passes: (template, parameter, kind,
        # node, what to do with the identity, the unresolved note to withdraw)
        self.pending: list[tuple[Template, str, str, Node, Use, tuple[Span, str, str]]] = []

    def add(self, files: list[ParsedFile]) -> None:
        """Templates of `files`; called once per file, so a nested stack read before its parent has
        its references to the parent's parameters resumed when the parent comes."""
        templates = [Template(parsed.path, doc) for parsed in files for doc in parsed.documents if isinstance(doc, Mapping)]
        self.templates += templates
        link_nested_stacks(self.templates)
        for tpl in templates:
            self.declared[id(tpl)] = self._declare(tpl)
        for tpl in templates:
            self._template(tpl, self.declared[id(tpl)])
        self._resume()

    def release(self) -> None:
        """Forget the templates once the graph is built: a pending reference's action closes over
        this extractor (a cycle), and with collection paused (`jeplint.run.scan`) it would keep every
        template's tree alive to the end of the process (~15 MB on the shared corpus)."""
        self.templates.clear()
        self.pending.clear()
        self.declared.clear()

    def _resume(self) -> None:
        """References to a parameter that a parent stack read since passes: followed now."""
        waiting = []
        for tpl, param, kind, node, use, note in self.pending:
            if param not in tpl.inputs:
                waiting.append((tpl, param, kind, node, use, note))
                continue
            if note in self.graph.unresolved:
                self.graph.unresolved.remove(note)
            identity = self._identity(tpl, self.declared[id(tpl)], kind, node)
            if identity is not None:
                use(identity)
        self.pending = waiting

    def _bind(self, tpl: Template, identities: dict[str, Identity], kind: str, node: Node, use: Use, noun: str = "") -> None:
        """`use` the identity `node` names, now or, for a parameter a parent stack may pass, once read."""
        before = len(self.graph.unresolved)
        identity = self._identity(tpl, identities, kind, node, noun)
        if identity is not None:
            use(identity)
            return
        param = tpl.parameter_ref(node)
        if param is not None and len(self.graph.unresolved) > before:
            self.pending.append((tpl, param, kind, node, use, self.graph.unresolved[-1]))

    def _declare(self, tpl: Template) -> dict[str, Identity]:
        identities: dict[str, Identity] = {}
        for logical in tpl.resources:
            kind_name = IDENTITY_TYPES.get(tpl.type_of(logical))
            if tpl.type_of(logical) in SAM_ROLES:
                kind_name = ("role", "")
            if kind_name is None:
                continue
            kind, name_prop = kind_name
            props = tpl.properties(logical)
            name = tpl.resolve(props.items[name_prop]) if props and name_prop in props.items else None
            if tpl.type_of(logical) in SAM_ROLES:
                if props is not None and "Role" in props.items:
                    continue  # runs as a role declared elsewhere
                display = f"{logical}Role (SAM role of {logical})"
            else:
                display = str(name.value) if isinstance(name, Scalar) else logical
            identity = Identity("aws", kind, display, f"{tpl.path}#{logical}", _key_span(tpl, logical))
            tags = tpl.resolve(props.items["Tags"]) if props and "Tags" in props.items else None
            for tag in tags.items if isinstance(tags, Sequence) else []:
                key, value = (
                    (tpl.resolve(tag.items.get("Key", tag)), tpl.resolve(tag.items.get("Value", tag)))
                    if isinstance(tag, Mapping)
                    else (None, None)
                )
                if isinstance(key, Scalar) and isinstance(value, Scalar):
                    identity.tags[str(key.value)] = str(value.value)
                    identity.tag_spans[str(key.value)] = value.span
            identities[logical] = identity
            self.by_name.setdefault((kind, display), identity)
            self.graph.identities.append(identity)
        return identities

    def _template(self, tpl: Template, identities: dict[str, Identity]) -> None:
        for logical, identity in identities.items():
            self._identity_policies(tpl, logical, identity)
            if tpl.type_of(logical) == "AWS::Serverless::Function":
                sam_implied(self.graph, tpl, logical, identity)
            self._trust(tpl, logical, identity)
        for logical in tpl.resources:
            rtype = tpl.type_of(logical)
            if rtype in STANDALONE_POLICY_TYPES:
                self._standalone(tpl, logical, identities, STANDALONE_POLICY_TYPES[rtype])
            elif rtype in SINGLE_POLICY_TYPES:
                self._single(tpl, logical, identities)
            elif rtype == "AWS::IoT::PolicyPrincipalAttachment":
                self._iot_attachment(tpl, logical)
        self._memberships(tpl, identities)
        self._workloads(tpl, identities)
        add_resource_policies(self.graph, tpl, identities)

    def _iot_attachment(self, tpl: Template, logical: str) -> None:
        """An IoT policy attached to a device certificate: the certificate is the identity."""
        props = tpl.properties(logical)
        if props is None or "PolicyName" not in props.items or "Principal" not in props.items:
            return
        target = tpl.logical_ref(props.items["PolicyName"])
        name = tpl.resolve(props.items["PolicyName"])
        policy = None
        if target is not None and tpl.type_of(target) == "AWS::IoT::Policy":
            policy = self._make_standalone(tpl, target, "PolicyName")
        elif isinstance(name, Scalar):
            policy = next(
                (p for p in self.graph.policies if p.key.startswith(tpl.path + "#") and p.name == str(name.value)), None
            )
        principal = props.items["Principal"]
        cert = tpl.logical_ref(principal)
        resolved_principal = tpl.resolve(principal)
        shown = cert or (str(resolved_principal.value) if isinstance(resolved_principal, Scalar) else "")
        note = "" if shown else "its ARN is known only at deploy"
        if policy is not None:
            identity = Identity(
                "aws",
                "iot-certificate",
                shown or _intrinsic_text(principal),  # `Ref CertificateArn`: a parameter without default
                f"{tpl.path}#{cert or logical}:certificate",
                _key_span(tpl, cert or logical),
                name_note=note,
            )
            self.graph.identities.append(identity)
            self.graph.bindings.append(
                Binding(identity, policy, principal.span, f"{logical} (AWS::IoT::PolicyPrincipalAttachment)")
            )

    def _memberships(self, tpl: Template, identities: dict[str, Identity]) -> None:
        pairs: list[tuple[Identity, Identity, Span, str]] = []
        for logical in tpl.resources:
            props = tpl.properties(logical)
            if props is None:
                continue
            if tpl.type_of(logical) == "AWS::IAM::User" and logical in identities:
                groups = tpl.resolve(props.items.get("Groups", Sequence([], props.span)))
                for item in _branches(groups.items if isinstance(groups, Sequence) else [], tpl):
                    group = self._identity(tpl, identities, "group", item)
                    if group is not None:
                        pairs.append((identities[logical], group, item.span, f"Groups of {logical}"))
            elif tpl.type_of(logical) == "AWS::IAM::UserToGroupAddition" and "GroupName" in props.items:
                group = self._identity(tpl, identities, "group", props.items["GroupName"])
                users = tpl.resolve(props.items.get("Users", Sequence([], props.span)))
                for item in users.items if isinstance(users, Sequence) and group else []:
                    user = self._identity(tpl, identities, "user", item)
                    if user is not None and group is not None:
                        pairs.append((user, group, item.span, f"Users of {logical}"))
        for user, group, span, via in pairs:
            for binding in list(self.graph.bindings_of(group)):
                self.graph.bindings.append(Binding(user, binding.policy, span, f"{via} (member of {group.label})", group=group))

    def _workloads(self, tpl: Template, identities: dict[str, Identity]) -> None:
        for logical in tpl.resources:
            rtype = tpl.type_of(logical)
            props = tpl.properties(logical)
            if rtype in SAM_ROLES and logical in identities:
                self.graph.workloads.append(
                    Workload("aws", SAM_ROLES[rtype], logical, _key_span(tpl, logical), identities[logical])
                )
                continue
            if props is None or rtype not in WORKLOADS:
                continue
            kind, attrs = WORKLOADS[rtype]
            for attr, node in [(path, found) for path in attrs for found in nodes_at(props, path)]:
                target = tpl.logical_ref(node)
                if target is not None and tpl.type_of(target) == "AWS::IAM::InstanceProfile":
                    profile = tpl.properties(target)
                    roles = tpl.resolve(profile.items.get("Roles", Sequence([], profile.span))) if profile else None
                    node = roles.items[0] if isinstance(roles, Sequence) and roles.items else node
                noun = "instance profile" if takes_profile(attr) and target is None else "role"
                suffix, uses = "", None
                if attr == "ExecutionRoleArn":
                    suffix, uses = " (execution role)", agent_uses(props.items.get("ContainerDefinitions"), tpl.resolve)
                name, span = logical + suffix, _key_span(tpl, logical)

                self._bind(tpl, identities, "role", node, self._runner(kind, name, span, uses), noun)

    def _runner(self, kind: str, name: str, span: Span, uses: tuple[str, ...] | None) -> Use:
        def run(identity: Identity) -> None:
            if (kind, name, span, identity.key) not in self.runs:  # one workload per role (rule targets)
                self.runs.add((kind, name, span, identity.key))
                self.graph.workloads.append(Workload("aws", kind, name, span, identity, agent_uses=uses))

        return run

    def _identity_policies(self, tpl: Template, logical: str, identity: Identity) -> None:
        props = tpl.properties(logical)
        if props is None:
            return
        inline = tpl.resolve(props.items["Policies"]) if "Policies" in props.items else None
        entries = _branches(inline.items if isinstance(inline, Sequence) else [inline] if inline else [], tpl)
        for index, entry in enumerate(entries, start=1):
            entry = tpl.resolve(entry)
            if isinstance(entry, Mapping) and "PolicyDocument" in entry.items:  # IAM inline policy
                name = tpl.resolve(entry.items.get("PolicyName") or entry)
                display = str(name.value) if isinstance(name, Scalar) else f"{logical} policy {index}"
                doc = entry.items["PolicyDocument"]
            elif isinstance(entry, Mapping) and "Statement" in entry.items:  # SAM inline document
                display, doc = f"{logical} policy {index}", entry
            elif isinstance(entry, Scalar) and isinstance(entry.value, str):  # SAM managed policy name/ARN
                # SAM looks a bare name up among AWS managed policies whatever their path
                # (AWSLambdaBasicExecutionRole is under service-role/)
                arn = entry.value if entry.value.startswith("arn:") else f"arn:aws:iam::aws:policy/{entry.value}"
                by_name = None if entry.value.startswith("arn:") else managed_policy_by_name(self.graph, entry.value, entry.span)
                policy = by_name or managed_policy(self.graph, arn, entry.span)
                if policy is not None:
                    self.graph.bindings.append(Binding(identity, policy, entry.span, f"Policies of {logical}"))
                continue
            elif isinstance(entry, Mapping) and len(entry.items) == 1:  # SAM policy template
                self._sam_template(tpl, logical, identity, index, entry)
                continue
            else:
                continue
            policy = Policy("aws", "inline", display, f"{tpl.path}#{logical}/Policies/{index}", entry.span)
            grants_from_document(policy, tpl.document(doc), tpl.resolve, tpl.render)
            self.graph.policies.append(policy)
            self.graph.bindings.append(Binding(identity, policy, entry.span, f"Policies of {logical}"))
        arns = tpl.resolve(props.items["ManagedPolicyArns"]) if "ManagedPolicyArns" in props.items else None
        for item in _branches(arns.items if isinstance(arns, Sequence) else [], tpl):
            self._attach_arn(tpl, identity, item, f"ManagedPolicyArns of {logical}")
        boundary = props.items.get("PermissionsBoundary") or tpl.global_property(logical, "PermissionsBoundary")
        if boundary is not None:
            value = tpl.resolve(boundary)
            target = tpl.logical_ref(boundary)
            if target is not None and tpl.type_of(target) == "AWS::IAM::ManagedPolicy":
                identity.boundary = self._make_standalone(tpl, target, "ManagedPolicyName")
            elif isinstance(value, Scalar) and isinstance(value.value, str):
                identity.boundary = managed_policy(self.graph, value.value, value.span)

    def _trust(self, tpl: Template, logical: str, identity: Identity) -> None:
        """A role's AssumeRolePolicyDocument: who may assume it (not a grant: not in graph.policies)."""
        props = tpl.properties(logical)
        doc = (
            props.items.get("AssumeRolePolicyDocument")
            if props is not None and tpl.type_of(logical) == "AWS::IAM::Role"
            else None
        )
        if doc is not None:
            identity.trust = Policy(
                "aws", "trust", f"AssumeRolePolicyDocument of {logical}", f"{tpl.path}#{logical}#trust", doc.span
            )
            grants_from_document(
                identity.trust, tpl.document(_json_string(doc, self.graph.invalid) or doc), tpl.resolve, tpl.render
            )

    def _sam_template(self, tpl: Template, logical: str, identity: Identity, index: int, entry: Mapping) -> None:
        ((name, params),) = entry.items.items()
        policy = Policy("aws", "inline", f"SAM {name}", f"{tpl.path}#{logical}/Policies/{index}", entry.span)
        statements = template(name)
        if statements is None:
            policy.unresolved = f"SAM policy template {name} is not in jeplint's table"
        values: dict[str, str] = {}
        for key, node in params.items.items() if isinstance(params, Mapping) else []:
            resolved = tpl.resolve(node)
            if isinstance(resolved, Scalar):
                values[key] = str(resolved.value)
        for number, (actions, resources) in enumerate(statements or [], start=1):
            grant = Grant(policy=policy, index=number, span=entry.span)
            grant.actions = [Value(a, entry.span) for a in actions]
            grant.resources = [_template_value(r, values, tpl, entry.span) for r in resources]
            policy.grants.append(grant)
        self.graph.policies.append(policy)
        self.graph.bindings.append(Binding(identity, policy, entry.span, f"Policies of {logical}"))

    def _attach_arn(self, tpl: Template, identity: Identity, item: Node, via: str) -> None:
        target = tpl.logical_ref(item)
        if target is not None:
            policy = self.graph.policy(f"{tpl.path}#{target}")
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
            elif not value.value.startswith("arn:aws:iam::aws:policy/"):  # a customer policy made elsewhere
                self._unresolved(item, "policy declared outside the scan", f"the policy {value.value} ({via})")
        elif not (isinstance(value, Mapping) and not value.items):  # not an `AWS::NoValue` branch
            rendered = tpl.render(value)
            if rendered is not None and ":policy/" in str(rendered.text) and ":iam::aws:policy/" not in str(rendered.text):
                self._unresolved(item, "policy declared outside the scan", f"the policy {rendered.text} ({via})")
            else:
                self._unresolved(item, _category(value, tpl), f"the policy named by {describe(value)} ({via})")

    def _make_standalone(self, tpl: Template, logical: str, name_prop: str) -> Policy:
        key = f"{tpl.path}#{logical}"
        existing = self.graph.policy(key)
        if existing is not None:
            return existing
        props = tpl.properties(logical)
        name = tpl.resolve(props.items[name_prop]) if props and name_prop in props.items else None
        display = str(name.value) if isinstance(name, Scalar) else logical
        rtype = tpl.type_of(logical)
        kind = "managed" if rtype == "AWS::IAM::ManagedPolicy" else "iot" if rtype == "AWS::IoT::Policy" else "inline"
        policy = Policy("aws", kind, display, key, _key_span(tpl, logical))
        if props is not None and "PolicyDocument" in props.items:
            grants_from_document(policy, tpl.document(props.items["PolicyDocument"]), tpl.resolve, tpl.render)
        else:
            policy.unresolved = "no PolicyDocument"
        self.graph.policies.append(policy)
        return policy

    def _standalone(self, tpl: Template, logical: str, identities: dict[str, Identity], name_prop: str) -> None:
        policy = self._make_standalone(tpl, logical, name_prop)
        props = tpl.properties(logical)
        for prop, kind in (("Roles", "role"), ("Users", "user"), ("Groups", "group")):
            node = tpl.resolve(props.items[prop]) if props and prop in props.items else None
            for item in _branches(node.items if isinstance(node, Sequence) else [], tpl):
                self._bind(tpl, identities, kind, item, self._binder(policy, item.span, f"{prop} of {logical}"))

    def _single(self, tpl: Template, logical: str, identities: dict[str, Identity]) -> None:
        kind, prop = SINGLE_POLICY_TYPES[tpl.type_of(logical)]
        policy = self._make_standalone(tpl, logical, "PolicyName")
        props = tpl.properties(logical)
        if props is not None and prop in props.items:
            node = props.items[prop]
            self._bind(tpl, identities, kind, node, self._binder(policy, node.span, f"{prop} of {logical}"))

    def _binder(self, policy: Policy, span: Span, via: str) -> Use:
        return lambda identity: self.graph.bindings.append(Binding(identity, policy, span, via))

    def _identity(
        self, tpl: Template, identities: dict[str, Identity], kind: str, node: Node, noun: str = "", depth: int = 0
    ) -> Identity | None:
        target = tpl.logical_ref(node)
        if target is not None:
            return identities.get(target)
        outer = tpl.input(node)
        if outer is not None and depth < 10:  # a parameter its parent stack passes: the value written there
            parent, value_node = outer
            return self._identity(parent, self.declared[id(parent)], kind, value_node, noun, depth + 1)
        value = tpl.resolve(node)
        if isinstance(value, Scalar) and isinstance(value.value, str) and value.value:
            return aws_named(self.graph, self.by_name, kind, value.value)
        if not (isinstance(value, Mapping) and not value.items):  # not an `AWS::NoValue` branch
            self._unresolved(node, _category(value, tpl), f"the {noun or kind} named by {describe(value)}")
        return None

    def _unresolved(self, node: Node, category: str, what: str) -> None:
        self.graph.unresolved.append((node.span, category, f"IAM reference not resolved: {what}"))


def _category(value: Node, tpl: Template) -> str:
    """Why a CloudFormation reference is not known: another stack's export, a parameter, else."""
    fn = next(iter(value.items), "") if isinstance(value, Mapping) and len(value.items) == 1 else ""
    if fn == "Fn::ImportValue":
        return "Fn::ImportValue"
    return "parameter without default" if fn == "Ref" and tpl.parameter_ref(value) else "unknown value"
