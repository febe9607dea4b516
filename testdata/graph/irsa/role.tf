# The cloud side of IRSA: a role whose policy allows everything.
resource "aws_iam_role" "orders_api" {
  name               = "orders-api"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "orders_api" {
  name = "orders-api"
  role = aws_iam_role.orders_api.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] # expect: JEP101
  })
}
