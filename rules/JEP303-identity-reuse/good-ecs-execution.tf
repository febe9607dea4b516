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

# One role for both, but it holds nothing the agent uses (a public image, no logs, no injected
# secrets): sharing it gives the application nothing.
resource "aws_iam_role" "web" {
  name               = "web"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "web" {
  role = aws_iam_role.web.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::web-assets/*" }]
  })
}

resource "aws_ecs_task_definition" "web" {
  family                = "web"
  task_role_arn         = aws_iam_role.web.arn
  execution_role_arn    = aws_iam_role.web.arn
  container_definitions = "[]"
}

# One role for both that holds the agent's access, but the containers ask the agent for none of it: a
# public image, no log driver, nothing injected. The agent never uses the role.
resource "aws_iam_role" "demo" {
  name               = "demo"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
}

resource "aws_iam_role_policy_attachment" "demo" {
  role       = aws_iam_role.demo.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_ecs_task_definition" "demo" {
  family             = "demo"
  task_role_arn      = aws_iam_role.demo.arn
  execution_role_arn = aws_iam_role.demo.arn
  container_definitions = jsonencode([{
    name  = "demo"
    image = "docker.io/library/nginx:1.27"
  }])
}
