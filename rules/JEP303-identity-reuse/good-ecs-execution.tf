# A task role and an execution role of their own.
resource "aws_iam_role" "orders" {
  name               = "orders"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
}

resource "aws_iam_role" "orders_execution" {
  name               = "orders-execution"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
}

resource "aws_ecs_task_definition" "orders" {
  family                = "orders"
  task_role_arn         = aws_iam_role.orders.arn
  execution_role_arn    = aws_iam_role.orders_execution.arn
  container_definitions = "[]"
}
