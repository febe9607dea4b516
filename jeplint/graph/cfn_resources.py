"""CloudFormation, the policies that are not identity policies: resource policies (KMS keys, S3
buckets, SQS queues, SNS topics, Secrets Manager secrets, ECR repositories, Lambda permissions)
and service or resource control policies (`AWS::Organizations::Policy`). See
`graph.resource_policies` for what each is in the graph."""

from __future__ import annotations

from jeplint.graph.cfn_template import Template, _key_span
from jeplint.graph.conditions import Condition
from jeplint.graph.model import Grant, Graph, Identity, Policy, Value
from jeplint.graph.policy import describe, grants_from_document
from jeplint.graph.resource_policies import CONTROL_POLICY_TYPES, grant_to_principals, permission_principal
from jeplint.parse.nodes import Node, Scalar, Sequence

# resource type -> (what its policy is called, property holding the document, property naming the
# resources the policy is on; "" when the resource carries its own policy)
RESOURCE_POLICY_TYPES = {
    "AWS::KMS::Key": ("key policy", "KeyPolicy", ""),
    "AWS::S3::BucketPolicy": ("bucket policy", "PolicyDocument", "Bucket"),
    "AWS::SQS::QueuePolicy": ("queue policy", "PolicyDocument", "Queues"),
    "AWS::SNS::TopicPolicy": ("topic policy", "PolicyDocument", "Topics"),
    "AWS::SecretsManager::ResourcePolicy": ("secret policy", "ResourcePolicy", "SecretId"),
    "AWS::ECR::Repository": ("repository policy", "RepositoryPolicyText", ""),
}


def add_resource_policies(graph: Graph, tpl: Template, identities: dict[str, Identity]) -> None:
    """The template's resource and control policies; `identities`: its roles and users by logical id."""

    def principal(value: Value) -> Identity | None:
        written = value.unresolved.removeprefix("AWS:") if value.text is None else ""
        for fn in ("Fn::GetAtt ", "Ref "):
            if written.startswith(fn):
                name = written[len(fn) :].split(".", 1)[0]
                found = identities.get(tpl.aliases.get(name, name))
                return found if found is not None and found.kind in ("role", "user") else None
        return None

    for logical in tpl.resources:
        rtype, props = tpl.type_of(logical), tpl.properties(logical)
        if props is None:
            continue
        if rtype in RESOURCE_POLICY_TYPES and RESOURCE_POLICY_TYPES[rtype][1] in props.items:
            noun, prop, target = RESOURCE_POLICY_TYPES[rtype]
            resource = _named(tpl, props.items.get(target)) if target else logical
            policy = _policy(graph, tpl, logical, noun, "resource", resource)
            grants_from_document(policy, tpl.document(props.items[prop]), tpl.resolve, tpl.render)
            grant_to_principals(graph, policy, principal, resource)
        elif rtype == "AWS::Lambda::Permission":
            function = _named(tpl, props.items.get("FunctionName"))
            policy = _policy(graph, tpl, logical, "function permission", "resource", function)
            _permission(tpl, policy, props.items, function)
            grant_to_principals(graph, policy, principal, function)
        elif rtype == "AWS::Organizations::Policy" and "Content" in props.items:
            written = tpl.resolve(props.items["Type"]) if "Type" in props.items else None
            known = written.value if isinstance(written, Scalar) else None
            kind = CONTROL_POLICY_TYPES.get(str(known)) if known is not None else "scp"
            if kind is not None:
                name = tpl.resolve(props.items["Name"]) if "Name" in props.items else None
                policy = _policy(graph, tpl, logical, kind, "scp", "")
                policy.name = str(name.value) if isinstance(name, Scalar) else logical
                grants_from_document(policy, tpl.document(props.items["Content"]), tpl.resolve, tpl.render)


def _policy(graph: Graph, tpl: Template, logical: str, kind: str, purpose: str, resource: str) -> Policy:
    policy = Policy("aws", kind, logical, f"{tpl.path}#{logical}", _key_span(tpl, logical), purpose=purpose, resource=resource)
    graph.policies.append(policy)
    return policy


def _named(tpl: Template, node: Node | None) -> str:
    """The resources a policy is on: logical ids referred to, else the values as written."""
    if node is None:
        return "a resource not named"
    value = tpl.resolve(node)
    items = value.items if isinstance(value, Sequence) else [node]
    names = []
    for item in items:
        target = tpl.logical_ref(item)
        resolved = tpl.resolve(item)
        names.append(target or (str(resolved.value) if isinstance(resolved, Scalar) else describe(resolved)))
    return ", ".join(names)


def _permission(tpl: Template, policy: Policy, props: dict[str, Node], function: str) -> None:
    """`AWS::Lambda::Permission`: one statement of the function's resource policy."""
    grant = Grant(policy=policy, index=1, span=policy.span or next(iter(props.values())).span)
    action = tpl.resolve(props["Action"]) if "Action" in props else None
    if isinstance(action, Scalar) and action.value is not None:
        grant.actions = [Value(str(action.value), action.span)]
    principal = tpl.resolve(props["Principal"]) if "Principal" in props else None
    if isinstance(principal, Scalar) and isinstance(principal.value, str):
        grant.principals = [Value(permission_principal(principal.value), principal.span)]
    elif principal is not None:  # an intrinsic: `Ref Role`, `Fn::GetAtt Role.Arn` keep the logical id
        target = tpl.logical_ref(props["Principal"])
        unresolved = f"AWS:Ref {target}" if target else f"AWS:{describe(principal)}"
        grant.principals = [Value(None, props["Principal"].span, unresolved)]
    span = props["FunctionName"].span if "FunctionName" in props else grant.span
    grant.resources = [Value(function, span)]
    grant.conditions = tuple(
        Condition("ArnLike" if key == "SourceArn" else "StringEquals", f"aws:{key}", (_text(tpl, props[key]),))
        for key in ("SourceArn", "SourceAccount")
        if key in props
    )
    policy.grants.append(grant)


def _text(tpl: Template, node: Node) -> str | None:
    value = tpl.resolve(node)
    return str(value.value) if isinstance(value, Scalar) and value.value is not None else None
