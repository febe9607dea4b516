"""CloudFormation resources that run as an IAM role (workloads): resource type -> (kind, where the
role or instance profile is named). A path is property names joined by dots; `[]` walks each item
of a list (`Targets[].RoleArn` of an EventBridge rule)."""

from __future__ import annotations

from jeplint.parse.nodes import Mapping, Node, Sequence

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
