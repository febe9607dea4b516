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
  family             = "orders"
  task_role_arn      = aws_iam_role.orders.arn
  execution_role_arn = aws_iam_role.orders.arn
  container_definitions = jsonencode([{
    name             = "orders"
    image            = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders:1.4"
    logConfiguration = { logDriver = "awslogs", options = { awslogs-group = "/ecs/orders" } }
    secrets          = [{ name = "DB_PASSWORD", valueFrom = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf" }]
  }])
}

# The same role for a worker whose container only pulls its image from ECR: the message names only
# what the agent uses the role for here.
resource "aws_ecs_task_definition" "worker" { # expect: JEP303
  family                = "orders-worker"
  task_role_arn         = aws_iam_role.orders.arn
  execution_role_arn    = aws_iam_role.orders.arn
  container_definitions = <<EOF
[{"name": "worker", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-worker:1.4"}]
EOF
}
