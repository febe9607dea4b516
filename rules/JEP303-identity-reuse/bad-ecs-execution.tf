# The same role as task role and execution role, holding the agent's access (image pulls, logs and
# the secrets it injects): the application gets all of it.
resource "aws_iam_role" "orders" {
  name               = "orders"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
}

resource "aws_iam_role_policy_attachment" "agent" {
  role       = aws_iam_role.orders.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role_policy" "secrets" {
  role = aws_iam_role.orders.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf" }]
  })
}

resource "aws_ecs_task_definition" "orders" { # expect: JEP303
  family                = "orders"
  task_role_arn         = aws_iam_role.orders.arn
  execution_role_arn    = aws_iam_role.orders.arn
  container_definitions = "[]"
}
