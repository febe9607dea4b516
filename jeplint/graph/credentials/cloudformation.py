"""CloudFormation credentials: access keys, console passwords of key holders, role and Roles Anywhere sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from jeplint.graph.credentials.common import Owners, _saml_only_document, credential
from jeplint.graph.lifetimes import Lifetime
from jeplint.graph.model import Graph, Identity, RolesAnywhere
from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence, Span


class CloudFormationCredentials:
    def __init__(self, graph: Graph, owners: Owners, path: str, root: Mapping) -> None:
        self.graph = graph
        self.owners = owners
        self.path = path
        resources = root.get("Resources")
        self.resources = (
            {k: v for k, v in resources.items.items() if isinstance(v, Mapping)} if isinstance(resources, Mapping) else {}
        )
        self.key_spans = resources.key_spans if isinstance(resources, Mapping) else {}
        params = root.get("Parameters")
        self.defaults = {
            name: p.items["Default"]
            for name, p in (params.items.items() if isinstance(params, Mapping) else [])
            if isinstance(p, Mapping) and "Default" in p.items
        }

    def add(self) -> None:
        key_users: set[str] = set()
        for logical, resource in self.resources.items():
            if self._type(resource) == "AWS::IAM::AccessKey":
                props = _props(resource)
                if self._text(props.get("Status")) == "Inactive":
                    continue
                identity, owner = self._user(props.get("UserName"))
                key_users.add(identity.key if identity is not None else owner)
                self._add(
                    "aws",
                    "aws-access-key",
                    f"AWS::IAM::AccessKey {logical}",
                    self.key_spans.get(logical, resource.span),
                    identity,
                    owner,
                    family="never",
                )
        for logical, resource in self.resources.items():
            kind, props = self._type(resource), _props(resource)
            if kind == "AWS::IAM::User" and "LoginProfile" in props.items:
                identity, owner = self.owners.by_key.get(f"{self.path}#{logical}"), f"user {logical}"
                if (identity.key if identity is not None else owner) in key_users:
                    self._add(
                        "aws",
                        "aws-login-profile",
                        f"LoginProfile of {logical}",
                        props.key_spans["LoginProfile"],
                        identity,
                        owner,
                        family="never",
                    )
            elif kind == "AWS::IAM::Role" and "MaxSessionDuration" in props.items:
                self._session(
                    logical, props, "MaxSessionDuration", "aws-role-session", [self.owners.by_key.get(f"{self.path}#{logical}")]
                )
            elif kind == "AWS::RolesAnywhere::Profile" and "DurationSeconds" in props.items:
                roles = self._resolve(props.get("RoleArns"))
                holders = [self._role(item) for item in (roles.items if isinstance(roles, Sequence) else [])]
                self._session(logical, props, "DurationSeconds", "aws-rolesanywhere-session", holders)

    def _add(self, platform: str, kind: str, name: str, span: Span, identity: Identity | None, owner: str, **facts: Any) -> None:
        self.graph.credentials.append(credential(platform, kind, name, span, identity, owner, **facts))

    def _session(self, logical: str, props: Mapping, prop: str, kind: str, holders: list[Identity | None]) -> None:
        node = props.items[prop]
        value = self._resolve(node)
        seconds = (
            value.value
            if isinstance(value, Scalar) and isinstance(value.value, int) and not isinstance(value.value, bool)
            else None
        )
        if isinstance(value, Scalar) and isinstance(value.value, str) and value.value.isdigit():
            seconds = int(value.value)
        if seconds is None or kind == "aws-role-session" and _saml_only_document(props.get("AssumeRolePolicyDocument")):
            return
        named = [h for h in holders if h is not None]
        lifetime = Lifetime(node.span, f"{prop}: {seconds}", timedelta(seconds=seconds))
        name = self._text(props.get("RoleName" if kind == "aws-role-session" else "Name")) or logical
        owner = f"role {name}" if kind == "aws-role-session" else f"IAM Roles Anywhere profile {name}"
        self._add(
            "aws",
            kind,
            logical,
            node.span,
            named[0] if len(named) == 1 else None,
            owner,
            family="session",
            lifetime=lifetime,
            detail=RolesAnywhere(name) if kind == "aws-rolesanywhere-session" else None,
        )

    def _type(self, resource: Mapping) -> str:
        return self._text(resource.get("Type")) or ""

    def _resolve(self, node: Node | None) -> Node | None:
        if isinstance(node, Mapping) and len(node.items) == 1 and "Ref" in node.items:
            target = self._text(node.items["Ref"])
            if target in self.defaults:
                return self.defaults[target]
        return node

    def _text(self, node: Node | None) -> str | None:
        value = self._resolve(node)
        return str(value.value) if isinstance(value, Scalar) and value.value is not None else None

    def _logical(self, node: Node | None) -> str | None:
        """The logical id a `Ref` or `Fn::GetAtt` names, when it is a resource of this template."""
        if isinstance(node, Mapping) and len(node.items) == 1:
            ((fn, arg),) = node.items.items()
            target = None
            if fn == "Ref":
                target = self._text(arg)
            elif fn == "Fn::GetAtt":
                first = arg.items[0] if isinstance(arg, Sequence) and arg.items else arg
                target = (self._text(first) or "").split(".")[0]
            if target in self.resources:
                return target
        return None

    def _user(self, node: Node | None) -> tuple[Identity | None, str]:
        logical = self._logical(node)
        if logical is not None:
            return self.owners.by_key.get(f"{self.path}#{logical}"), f"user {logical}"
        name = self._text(node)
        if name:
            found = self.owners.named("aws", "user", name)
            return found, f"user {name}" + ("" if found else " (not declared in the scan)")
        return None, "an unnamed user"

    def _role(self, node: Node) -> Identity | None:
        logical = self._logical(node)
        return self.owners.by_key.get(f"{self.path}#{logical}") if logical else None


def _props(resource: Mapping) -> Mapping:
    props = resource.get("Properties")
    return props if isinstance(props, Mapping) else Mapping({}, {}, resource.span)
