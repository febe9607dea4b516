# The same role as task role and execution role: the application gets the agent's access.
resource "aws_iam_role" "orders" {
  name               = "orders"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
}

resource "aws_ecs_task_definition" "orders" { # expect: JEP303
  family                = "orders"
  task_role_arn         = aws_iam_role.orders.arn
  execution_role_arn    = aws_iam_role.orders.arn
  container_definitions = "[]"
}
