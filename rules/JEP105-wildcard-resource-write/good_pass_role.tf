# Not reported: iam:PassRole on every role, but only to the ECS service (ecs.amazonaws.com), which
# uses a passed role to register an ECS service with its load balancer and runs nothing as it. The
# same statement passing roles to ECS tasks (ecs-tasks.amazonaws.com) runs code: bad_pass_role.tf.
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
      Resource  = "*"
      Condition = { StringEquals = { "iam:PassedToService" = "ecs.amazonaws.com" } }
    }]
  })
}
