"""What the ECS agent uses a task definition's execution role for, read from its container
definitions (`graph.ecs`), and how JEP303 weighs a role that is both task and execution role."""

from __future__ import annotations

from pathlib import Path

import pytest

from jeplint.run import Settings, scan

ROLE = (
    'resource "aws_iam_role" "app" {\n  name = "app"\n  assume_role_policy = "{}"\n}\n\n'
    'resource "aws_iam_role_policy_attachment" "agent" {\n  role = aws_iam_role.app.name\n'
    '  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"\n}\n\n'
)


def task(definitions: str) -> str:
    return (
        ROLE + 'variable "image" {}\n\n'
        'resource "aws_ecs_task_definition" "app" {\n  family = "app"\n  task_role_arn = aws_iam_role.app.arn\n'
        f"  execution_role_arn = aws_iam_role.app.arn\n  container_definitions = {definitions}\n}}\n"
    )


@pytest.mark.parametrize(
    ("definitions", "uses"),
    [
        ('jsonencode([{ name = "a", image = "nginx:1.27" }])', ()),
        ('jsonencode([{ name = "a", image = var.image }])', ("image pulls",)),
        ('jsonencode([{ name = "a", image = "nginx", logConfiguration = { logDriver = "fluentd" } }])', ()),
        ('jsonencode([{ name = "a", image = "nginx", logConfiguration = { logDriver = "awslogs" } }])', ("log delivery",)),
        (
            'jsonencode([{ name = "a", image = "nginx", secrets = [{ name = "K", valueFrom = "/app/key" }] }])',
            ("parameters", "decryption"),
        ),
        (
            'jsonencode([{ name = "a", image = "nginx", repositoryCredentials = { credentialsParameter = "arn" } }])',
            ("image pulls", "secrets", "decryption"),
        ),
        ('file("containers.json")', None),
        ("var.image", None),
    ],
)
def test_agent_uses(tmp_path: Path, definitions: str, uses: tuple[str, ...] | None) -> None:
    (tmp_path / "main.tf").write_text(task(definitions))
    graph = scan([str(tmp_path)]).graph
    (execution,) = [w for w in graph.workloads if w.name.endswith("(execution role)")]
    assert execution.agent_uses == uses


def test_both_roles_names_only_what_the_agent_uses(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        task('jsonencode([{ name = "a", image = "nginx", logConfiguration = { logDriver = "awslogs" } }])')
    )
    (finding,) = scan([str(tmp_path)], Settings(select=("JEP303",))).findings
    assert finding.message == (
        "role app is both the task role and the execution role of ECS task definition app: the application gets the "
        "access the ECS agent uses it for (log delivery). Give the task a role of its own"
    )
    (tmp_path / "main.tf").write_text(task('jsonencode([{ name = "a", image = "nginx" }])'))
    assert scan([str(tmp_path)], Settings(select=("JEP303",))).findings == []


def test_cloudformation_container_definitions(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
        "      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy]\n"
        "  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      TaskRoleArn: !GetAtt Role.Arn\n"
        "      ExecutionRoleArn: !GetAtt Role.Arn\n      ContainerDefinitions:\n        - Name: api\n"
        '          Image: !Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/api:1"\n'
        "          Secrets: [{Name: K, ValueFrom: !Ref Secret}]\n"
    )
    graph = scan([str(tmp_path)]).graph
    (execution,) = [w for w in graph.workloads if w.name.endswith("(execution role)")]
    assert execution.agent_uses == ("image pulls", "secrets", "parameters", "decryption")
