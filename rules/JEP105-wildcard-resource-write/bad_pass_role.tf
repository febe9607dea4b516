# Reported (a note: the condition limits it): iam:PassRole on every role to ECS tasks
# (ecs-tasks.amazonaws.com): the code of any task can run as any role, administrators included. The
# same statement passing roles to the ECS service itself runs nothing: good_pass_role.tf.
resource "aws_iam_role" "deployer" {
  name = "ecs-service-deployer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "pass" {
  name = "pass-service-role"
  role = aws_iam_role.deployer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = "*" # expect: JEP105
      Condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } }
    }]
  })
}
