"""CloudFormation resources that run as an IAM role (workloads): resource type -> (kind, where the
role or instance profile is named). A path is property names joined by dots; `[]` walks each item
of a list (`Targets[].RoleArn` of an EventBridge rule). And the managed policies SAM itself attaches
to the role it makes for a function."""

from __future__ import annotations

from jeplint.graph.aws_managed import managed_policy
from jeplint.graph.cfn_template import Template, _key_span
from jeplint.graph.model import Binding, Graph, Identity
from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence

WORKLOADS = {
    "AWS::Lambda::Function": ("Lambda function", ("Role",)),
    "AWS::Serverless::Function": ("Lambda function", ("Role",)),
    "AWS::Serverless::StateMachine": ("Step Functions state machine", ("Role",)),
    "AWS::ECS::TaskDefinition": ("ECS task definition", ("TaskRoleArn", "ExecutionRoleArn")),
    "AWS::CodeBuild::Project": ("CodeBuild project", ("ServiceRole",)),
    "AWS::StepFunctions::StateMachine": ("Step Functions state machine", ("RoleArn",)),
    "AWS::EC2::Instance": ("EC2 instance", ("IamInstanceProfile",)),
    "AWS::Glue::Job": ("Glue job", ("Role",)),
    "AWS::Glue::Crawler": ("Glue crawler", ("Role",)),
    "AWS::CodePipeline::Pipeline": ("CodePipeline pipeline", ("RoleArn",)),
    "AWS::EKS::Cluster": ("EKS cluster", ("RoleArn",)),
    "AWS::EKS::Nodegroup": ("EKS node group", ("NodeRole",)),
    "AWS::Batch::JobDefinition": ("Batch job definition", ("ContainerProperties.JobRoleArn",)),
    "AWS::Events::Rule": ("EventBridge rule", ("Targets[].RoleArn",)),
    "AWS::Scheduler::Schedule": ("EventBridge schedule", ("Target.RoleArn",)),
    "AWS::Pipes::Pipe": ("EventBridge pipe", ("RoleArn",)),
    "AWS::AutoScaling::LaunchConfiguration": ("launch configuration", ("IamInstanceProfile",)),
    "AWS::EC2::LaunchTemplate": (
        "EC2 launch template",
        ("LaunchTemplateData.IamInstanceProfile.Arn", "LaunchTemplateData.IamInstanceProfile.Name"),
    ),
    "AWS::AppRunner::Service": ("App Runner service", ("InstanceConfiguration.InstanceRoleArn",)),
    "AWS::SageMaker::NotebookInstance": ("SageMaker notebook instance", ("RoleArn",)),
    "AWS::AppSync::DataSource": ("AppSync data source", ("ServiceRoleArn",)),
    "AWS::EMR::Cluster": ("EMR cluster", ("JobFlowRole",)),
}


def takes_profile(path: str) -> bool:
    """Whether the property names an instance profile rather than a role."""
    return "InstanceProfile" in path or path == "JobFlowRole"


def nodes_at(props: Mapping, path: str) -> list[Node]:
    """The nodes `path` reaches below `props` (none when a step is missing)."""
    current: list[Node] = [props]
    for step in path.split("."):
        key, each = step.removesuffix("[]"), step.endswith("[]")
        found = [node.items[key] for node in current if isinstance(node, Mapping) and key in node.items]
        current = [item for node in found for item in (node.items if isinstance(node, Sequence) else [])] if each else found
    return current


# The AWS managed policies SAM attaches to the role it makes for a function (aws-sam-translator,
# `SamFunction._construct_role` and the pull event sources): always basic execution (logs), X-Ray when
# `Tracing` is set and not Disabled, VPC access with `VpcConfig`, and one per polled event source.
SAM_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
SAM_TRACING = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"
SAM_VPC = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
SAM_EVENT_SOURCES = {
    "Kinesis": "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
    "DynamoDB": "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
    "SQS": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "MSK": "arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole",
}


def sam_implied(graph: Graph, tpl: Template, logical: str, identity: Identity) -> None:
    """Bind the managed policies SAM attaches to the role it makes for function `logical`."""
    props = tpl.properties(logical)
    items = props.items if props is not None else {}
    via = f"role SAM makes for {logical}"
    attached = [(SAM_BASIC, _key_span(tpl, logical), f"{via} (always)")]
    tracing = tpl.resolve(items["Tracing"]) if "Tracing" in items else None
    if tracing is not None and not (isinstance(tracing, Scalar) and tracing.value == "Disabled"):
        attached.append((SAM_TRACING, items["Tracing"].span, f"{via} (Tracing)"))
    if "VpcConfig" in items:
        attached.append((SAM_VPC, items["VpcConfig"].span, f"{via} (VpcConfig)"))
    events = items.get("Events")
    for name, event in events.items.items() if isinstance(events, Mapping) else []:
        kind = event.items.get("Type") if isinstance(event, Mapping) else None
        if isinstance(kind, Scalar) and str(kind.value) in SAM_EVENT_SOURCES:
            attached.append((SAM_EVENT_SOURCES[str(kind.value)], kind.span, f"{via} (event {name}, {kind.value})"))
    for arn, span, why in attached:
        policy = managed_policy(graph, arn, span)
        if policy is not None and not any(b.policy is policy for b in graph.bindings_of(identity)):
            graph.bindings.append(Binding(identity, policy, span, why))
