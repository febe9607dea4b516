"""AWS in Terraform, the policies that are not identity policies: resource policies (KMS keys, S3
buckets, SQS queues, SNS topics, Secrets Manager secrets, ECR repositories, Lambda permissions) and
service or resource control policies (`aws_organizations_policy`). See `graph.resource_policies`
for what each is in the graph."""

from __future__ import annotations

from functools import partial

from jeplint.graph.conditions import Condition
from jeplint.graph.model import Grant, Identity, Policy, Value
from jeplint.graph.policy import describe
from jeplint.graph.resource_policies import CONTROL_POLICY_TYPES, grant_to_principals, permission_principal, purpose_by_shape
from jeplint.graph.terraform import NONE, Module, traversal
from jeplint.graph.tf_aws import AwsCore
from jeplint.parse.nodes import Block, Expr, Scalar

# resource type -> (what its policy is called, argument holding the document, argument naming the
# resource the policy is on; "" when the resource carries its own policy)
RESOURCE_POLICY_TYPES = {
    "aws_kms_key": ("key policy", "policy", ""),
    "aws_kms_key_policy": ("key policy", "policy", "key_id"),
    "aws_s3_bucket": ("bucket policy", "policy", ""),
    "aws_s3_bucket_policy": ("bucket policy", "policy", "bucket"),
    "aws_sqs_queue": ("queue policy", "policy", ""),
    "aws_sqs_queue_policy": ("queue policy", "policy", "queue_url"),
    "aws_sns_topic": ("topic policy", "policy", ""),
    "aws_sns_topic_policy": ("topic policy", "policy", "arn"),
    "aws_secretsmanager_secret": ("secret policy", "policy", ""),
    "aws_secretsmanager_secret_policy": ("secret policy", "policy", "secret_arn"),
    "aws_ecr_repository_policy": ("repository policy", "policy", "repository"),
}


class AwsResourcePolicies(AwsCore):
    """Adds the resource and control policies of a module instance (after its identities)."""

    def resource_policies(self, module: Module) -> None:
        for tf_type, label, block in module.each_resource():
            if tf_type in RESOURCE_POLICY_TYPES and "policy" in block.attrs:
                noun, attr, target = RESOURCE_POLICY_TYPES[tf_type]
                resource = self._resource_named(module, block, target) if target else module.address_of(tf_type, label)
                policy = self._resource_policy(module, noun, tf_type, label, block, resource)
                self.fill_policy(module, policy, block.attrs.get(attr))
                grant_to_principals(self.graph, policy, lambda value: self.principal(module, value), resource)
            elif tf_type == "aws_lambda_permission":
                self._lambda_permission(module, tf_type, label, block)
            elif tf_type == "aws_organizations_policy":
                self._control_policy(module, tf_type, label, block)

    def documents_by_shape(self) -> None:
        """Policy documents no resource of the scan consumes (passed to a module outside the scan,
        or left unused): one that names principals is a trust or a resource policy, not a grant to
        its holder; a resource policy still grants to the identities of the scan it names."""
        for module, policy in self.documents:
            policy.purpose = purpose_by_shape(policy)
            if policy.purpose == "resource":
                scope = "the resource this policy is written on"
                grant_to_principals(self.graph, policy, partial(self.principal, module), scope)

    def _resource_policy(self, module: Module, noun: str, tf_type: str, label: str, block: Block, resource: str) -> Policy:
        policy = self._policy(module, noun, module.address_of(tf_type, label), module.key(tf_type, label), block.labels[1].span)
        policy.purpose, policy.resource = "resource", resource
        return policy

    def _resource_named(self, module: Module, block: Block, attr: str) -> str:
        """The resource a `*_policy` resource is on: the resource its argument refers to
        (`aws_kms_key.main`), else the value as written."""
        node = block.attrs.get(attr)
        found = module.locate(node) if node is not None else None
        if found is not None and len(found[1]) >= 2 and found[1][0] != "data":
            return ".".join(found[1][:2])
        text = module.text(node) if node is not None else None
        return text or (describe(module.resolve(node)) if node is not None else "a resource not named")

    def principal(self, module: Module, value: Value) -> Identity | None:
        """The role or user of the scan a principal written by reference names (`aws_iam_role.x.arn`)."""
        written = value.unresolved.removeprefix("AWS:") if value.text is None else ""
        if not written or not traversal(written):
            return None
        found = module.locate(Expr("ref", written, value.span))
        if found is None or found[2] is None or found[1][0] not in ("aws_iam_role", "aws_iam_user"):
            return None
        return self.identities.get(found[2])

    def _lambda_permission(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        """`aws_lambda_permission`: one statement of the function's resource policy."""
        function = self._resource_named(module, block, "function_name")
        policy = self._resource_policy(module, "function permission", tf_type, label, block, function)
        grant = Grant(policy=policy, index=1, span=block.span)
        action, principal = block.attrs.get("action"), block.attrs.get("principal")
        for node, field in ((action, "actions"), (principal, "principals")):
            text = module.text(node) if node is not None else None
            if node is None:
                continue
            if field == "principals" and text is not None:
                text = permission_principal(text)
            rendered = Value(text, node.span) if text is not None else Value(None, node.span, describe(module.resolve(node)))
            if field == "principals" and text is None:
                rendered.unresolved = f"AWS:{rendered.unresolved}"
            getattr(grant, field).append(rendered)
        grant.resources = [Value(function, block.attrs["function_name"].span if "function_name" in block.attrs else block.span)]
        conditions = [
            Condition("ArnLike" if key == "source_arn" else "StringEquals", f"aws:{name}", (module.text(block.attrs[key]),))
            for key, name in (("source_arn", "SourceArn"), ("source_account", "SourceAccount"))
            if key in block.attrs
        ]
        grant.conditions = tuple(conditions)
        policy.grants.append(grant)
        grant_to_principals(self.graph, policy, lambda value: self.principal(module, value), function)

    def _control_policy(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        """`aws_organizations_policy` of an IAM type: caps the accounts it is attached to; grants nothing."""
        written = module.resolve(block.attrs.get("type", NONE))
        kind = (
            CONTROL_POLICY_TYPES.get(str(written.value)) if isinstance(written, Scalar) and written.value is not None else "scp"
        )
        if kind is None or "content" not in block.attrs:
            return
        display = module.text(block.attrs.get("name")) or module.address_of(tf_type, label)
        policy = self._policy(module, kind, display, module.key(tf_type, label), block.labels[1].span)
        policy.purpose = "scp"
        self.fill_policy(module, policy, block.attrs["content"])
