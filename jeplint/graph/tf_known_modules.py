"""Registry modules whose interface jeplint knows (`catalog.module_interfaces`): a call to one is
read as the identities, trust, attachments, inline and managed policies its inputs describe.

The module's source is never read. The call becomes a `KnownModule`: a module instance whose
resources are made from the interface table and the call's inputs (evaluated in the caller, with
the call's `count` / `for_each`), addressed as Terraform would (`module.ci[0].aws_iam_role.this[0]`)
and located at the module call, each fact at the input that set it. Its outputs
(`module.ci[0].iam_role_name`) lead to those resources, so an attachment written beside the call
links to the role. Only known values make facts: an input that cannot be evaluated is said and
counted ("unknown registry module input"), never guessed; so is an input the table does not model.
"""

from __future__ import annotations

import re
from typing import Any

from jeplint.graph.policy import describe
from jeplint.graph.terraform import Env, Module
from jeplint.graph.tf_known_documents import federated_trust, mapping, statement
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence, Span

_ATTACHMENT = {
    "role": ("aws_iam_role_policy_attachment", "role"),
    "user": ("aws_iam_user_policy_attachment", "user"),
    "group": ("aws_iam_group_policy_attachment", "group"),
}
_INLINE = {"role": "aws_iam_role_policy", "user": "aws_iam_user_policy", "group": "aws_iam_group_policy"}
UNKNOWN_INPUT = "unknown registry module input"
NOT_MODELLED = "registry module input not modelled"


_IAM_INPUT = re.compile(r"iam|polic|role|member|principal|permission|assume|trust|binding|grant|user", re.I)


def modelled_inputs(interface: dict[str, Any]) -> set[str]:
    """Every input name the interface table reads (any string it holds)."""
    found: set[str] = set()
    stack: list[object] = [interface]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            found.add(item)
    return found


def _null(node: Node) -> bool:
    return isinstance(node, Scalar) and node.value is None


class KnownModule(Module):
    """One instance of a call of a registry module whose interface jeplint knows."""

    def __init__(self, caller: Module, call: Block, instance: tuple[str, Env], source: str, interface: dict[str, Any]) -> None:
        super().__init__(caller.directory, [], caller.files, caller, call, None, instance)
        self.call_block = call
        self.source = source
        self.interface = interface
        self.span: Span = call.labels[0].span  # where a default value is said to come from
        self.label = f"module.{call.labels[0].value}"

    def origin(self) -> list[tuple[Span, str]]:
        caller = self.caller.origin() if self.caller is not None else []
        note = (
            f"{self.label} calls {self.source}, a registry module whose interface jeplint knows: "
            "what it creates is read from the call's inputs, not from the module's source"
        )
        planned = list(self.related.get(self._reading, [])) if self._reading else []  # its entry in a plan (tf_plan)
        return [*planned, (self.span, note), *caller]

    # -- inputs --------------------------------------------------------------------------------

    def input(self, name: str) -> Node | None:
        """The call's argument `name`, evaluated in the caller (unknown parts keep their scope)."""
        node = self.call_block.attrs.get(name)
        if node is None or self.caller is None:
            return None
        return self.resolve(self.caller.export(self.caller.resolve(node, 0, self.call_env), self.call_env))

    def value(self, spec: dict[str, Any]) -> Node | None:
        """`{"input": name, "default": value}`: the argument, else the default (None: neither)."""
        found = self.input(spec["input"])
        if found is None or (isinstance(found, Scalar) and found.value is None):
            return self.literal(spec["default"]) if "default" in spec else found
        return found

    def first(self, names: list[str]) -> Node | None:
        """The first of the named arguments that is written and not null."""
        for name in names:
            found = self.input(name)
            if found is not None and not (isinstance(found, Scalar) and found.value is None):
                return found
        return None

    def flag(self, spec: dict[str, Any], what: str) -> bool | None:
        """A boolean input (Terraform also takes "true" / "false"); None, said, when unknown."""
        node = self.value(spec)
        value = node.value if isinstance(node, Scalar) else None
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        if isinstance(value, bool):
            return value
        self.unknown(node or self.literal(None), what)
        return None

    def literal(self, value: object) -> Node:
        """A default of the table as a node, located at the call."""
        if isinstance(value, list):
            return Sequence([self.literal(v) for v in value], self.span)
        if isinstance(value, dict):
            return mapping({k: self.literal(v) for k, v in value.items()}, self.span)
        return Scalar(value, self.span)

    def unknown(self, node: Node, what: str) -> None:
        self.files.unresolved.append((node.span, UNKNOWN_INPUT, f"{self.label}: {what} is not known ({describe(node)})"))

    # -- the resources the inputs describe -------------------------------------------------------

    def build(self) -> None:
        for spec in self.interface.get("identities", []):
            self._identity(spec)
        for spec in self.interface.get("policies", []):
            self._managed_policy(spec)

    def _created(self, spec: dict[str, Any], what: str) -> bool:
        """False when a create flag is known false; an unknown flag is said and read as created."""
        return all(self.flag(flag, f"whether it creates {what}") is not False for flag in spec.get("create", []))

    def _resource(self, tf_type: str, label: str, attrs: dict[str, Node]) -> Block:
        labels = [Scalar(tf_type, self.span), Scalar(label, self.span)]
        block = Block("resource", labels, attrs, {k: v.span for k, v in attrs.items()}, [], self.call_block.span)
        self.resources[(tf_type, label)] = block
        return block

    def _identity(self, spec: dict[str, Any]) -> None:
        kind = spec["kind"]
        if not self._created(spec, f"its {kind}"):
            return
        tf_type, label = spec["address"].split(".")
        attrs: dict[str, Node] = {"count": Scalar(1, self.span)}
        name = next((v for n in spec.get("name", []) if (v := self.value(n)) is not None and not _null(v)), None)
        as_prefix = spec.get("name_is_prefix")
        if name is not None and (as_prefix is None or self.flag(as_prefix, "whether its name is a prefix") is False):
            attrs["name"] = name
        elif (prefix := name or self.first(spec.get("name_prefix", []))) is not None:
            attrs["name_prefix"] = prefix  # the real name is not known: linked by reference only
        for key in ("max_session_duration", "permissions_boundary", "tags"):
            found = self.first(spec.get(key, []))
            if found is not None:
                attrs[key] = found
        if "trust" in spec:
            trust = self._trust(spec)
            if trust is not None:
                attrs["assume_role_policy"] = trust
        self._resource(tf_type, label, attrs)
        ref = f"{tf_type}.{label}[0]"
        for output, attr in spec.get("outputs", {}).items():
            self.outputs[output] = Expr("ref", f"{ref}.{attr}", self.span)
        self._attachments(spec, kind, ref)
        self._inline(spec, kind, ref)
        for credential in spec.get("credentials", []):
            if self._created(credential, f"its {credential['type']}"):
                attrs = {kind: self._name_of(ref)}
                attrs.update({a: v for a, names in credential.get("attrs", {}).items() if (v := self.first(names)) is not None})
                self._resource(credential["type"], credential["label"], attrs)
        if "members" in spec and (users := self.input(spec["members"])) is not None:
            self._resource("aws_iam_group_membership", spec["members"], {"group": self._name_of(ref), "users": users})
        self._not_modelled(spec)

    def _name_of(self, ref: str) -> Expr:
        return Expr("ref", f"{ref}.name", self.span)

    def _attachments(self, spec: dict[str, Any], kind: str, ref: str) -> None:
        tf_type, attr = _ATTACHMENT[kind]
        for item in spec.get("attach", []):
            if "flag" in item:
                name = item["flag"]["input"]
                if self.flag(item["flag"], f"whether {name} attaches a policy") and (arn := self.value(item["arn"])):
                    self._resource(tf_type, name, {attr: self._name_of(ref), "policy_arn": arn})
                continue
            name = item.get("list") or item["map"]
            value = self.value({"input": name, **({"default": item["default"]} if "default" in item else {})})
            if value is None:
                continue
            if isinstance(value, Sequence):
                pairs = [(f"{name}[{i}]", v) for i, v in enumerate(value.items)]
            elif isinstance(value, Mapping):
                pairs = [(f'{name}["{k}"]', v) for k, v in value.items.items()]
            else:
                self.unknown(value, f"which policies it attaches through {name}")
                continue
            for label, arn in pairs:
                self._resource(tf_type, label, {attr: self._name_of(ref), "policy_arn": arn})

    def _inline(self, spec: dict[str, Any], kind: str, ref: str) -> None:
        for item in spec.get("inline", []):
            name = item["statements"]
            if not all(self.flag(w, f"whether it writes the inline policy of {name}") for w in item.get("when", [])):
                continue
            value = self.input(name)
            items = (
                value.items if isinstance(value, Sequence) else list(value.items.values()) if isinstance(value, Mapping) else None
            )
            if value is None or items == []:
                continue
            if items is None:
                self.unknown(value, f"the inline policy statements of {name}")
                continue
            document = mapping({"Statement": Sequence([statement(self, s) for s in items], value.span)}, value.span)
            self._resource(_INLINE[kind], name, {kind: self._name_of(ref), "policy": document})

    def _trust(self, identity: dict[str, Any]) -> Node | None:
        """The trust policy document the inputs describe: a whole policy given as an input, else
        the statements of each part of the table whose `when` flags hold. None when no part makes
        a statement, or one cannot be told (said)."""
        for given in identity.get("trust_replaced_by", []):
            found = self.first([given["input"]])
            if found is not None and all(self.flag(w, f"whether {given['input']} is used") for w in given.get("when", [])):
                return found
        for name in identity.get("trust_not_modelled", []):
            if name in self.call_block.attrs and self._set(name):
                self._said_not_modelled(name, f"the trust {name} adds is not modelled from the module's interface")
        statements: list[Node] = []
        for part in identity["trust"]:
            if not all(self.flag(w, f"whether its trust includes {w['input']}") for w in part.get("when", [])):
                continue
            made = self._trust_part(part)
            if made is None:
                return None
            statements.extend(made)
        if not statements:
            return None
        return mapping({"Version": Scalar("2012-10-17", self.span), "Statement": Sequence(statements, self.span)}, self.span)

    def _trust_part(self, part: dict[str, Any]) -> list[Node] | None:
        kind = part["kind"]
        if kind == "unknown":
            self.unknown(self.literal(None), f"who may assume its role: {part['why']}")
            return None
        if kind == "statements":
            value = self.input(part["input"])
            items = (
                value.items if isinstance(value, Sequence) else list(value.items.values()) if isinstance(value, Mapping) else None
            )
            if value is not None and items is None:
                self.unknown(value, f"who may assume its role ({part['input']})")
                return None
            return [statement(self, s) for s in items or []]
        if kind == "assume":
            return self._assume_trust(part)
        return federated_trust(self, part)

    def _assume_trust(self, spec: dict[str, Any]) -> list[Node] | None:
        principals: dict[str, Node] = {}
        for principal, name in spec["principals"].items():
            found = self.input(name)
            if found is not None and not (isinstance(found, Sequence) and not found.items):
                principals[principal] = found
        if not principals:
            return []
        mfa = self.flag(spec["mfa"], "whether its trust requires MFA")
        if mfa is None:
            return None
        actions = self.value(spec["actions"]) or self.literal(["sts:AssumeRole"])
        stmt: dict[str, Node] = {
            "Effect": Scalar("Allow", self.span),
            "Action": actions,
            "Principal": mapping(principals, next(iter(principals.values())).span),
        }
        conditions: dict[str, Node] = {}
        if mfa:
            age = self.value(spec["mfa_age"]) or self.literal(86400)
            conditions["Bool"] = mapping({"aws:MultiFactorAuthPresent": Scalar("true", self.span)}, self.span)
            conditions["NumericLessThan"] = mapping({"aws:MultiFactorAuthAge": age}, age.span)
        external = self.first([spec["external_id"]]) if "external_id" in spec else None
        if external is not None:
            conditions["StringEquals"] = mapping({"sts:ExternalId": external}, external.span)
        if conditions:
            stmt["Condition"] = mapping(conditions, self.span)
        return [mapping(stmt, self.span)]

    def _managed_policy(self, spec: dict[str, Any]) -> None:
        if not self._created(spec, "its policy"):
            return
        tf_type, label = spec["address"].split(".")
        attrs: dict[str, Node] = {"count": Scalar(1, self.span)}
        name = next((v for n in spec.get("name", []) if (v := self.value(n)) is not None and not _null(v)), None) or self.first(
            spec.get("name_prefix", [])
        )
        if name is not None:
            attrs["name"] = name
        document = self.input(spec["document"])
        if document is not None:
            attrs["policy"] = document
        self._resource(tf_type, label, attrs)
        for output, attr in spec.get("outputs", {}).items():
            self.outputs[output] = Expr("ref", f"{tf_type}.{label}[0].{attr}", self.span)

    def _not_modelled(self, spec: dict[str, Any]) -> None:
        """Inputs the table does not model, when the call sets them (and defaults it cannot tell)."""
        pattern = str(spec.get("not_modelled", ""))
        for name in sorted(self.call_block.attrs) if pattern else []:
            if re.fullmatch(pattern, name) and self._set(name):
                self._said_not_modelled(name, f"what {name} grants is not modelled from the module's interface")
        modelled = modelled_inputs(self.interface)
        for name in sorted(self.call_block.attrs):
            if name not in modelled and _IAM_INPUT.search(name) and not (pattern and re.fullmatch(pattern, name)):
                self._said_not_modelled(
                    name, f"{name} is not an input of its known interface: what the module does with it is not analysed"
                )
        default = spec.get("unmodelled_default")
        if default is not None and all(
            self.flag(f, f"whether it creates {default['what']}") is not False for f in default["flags"]
        ):
            self.files.unresolved.append(
                (self.span, NOT_MODELLED, f"{self.label}: {default['what']} is not modelled from the module's interface")
            )

    def _set(self, name: str) -> bool:
        """The call sets the input to something other than false, null or an empty collection."""
        value = self.input(name)
        empty = isinstance(value, (Sequence, Mapping)) and not value.items
        return not (empty or (isinstance(value, Scalar) and value.value in (False, None)))

    def _said_not_modelled(self, name: str, message: str) -> None:
        node = self.call_block.attrs[name]
        self.files.unresolved.append((node.span, NOT_MODELLED, f"{self.label}: {message}"))
