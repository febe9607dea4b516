# Still reported: the same kind of Glue role, but the dev-endpoint update comes from the customer's
# own statement, not from the policy AWS publishes for Glue.
resource "aws_iam_role" "etl" { # expect: JEP401
  name = "etl"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "glue.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "etl" {
  role = aws_iam_role.etl.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["glue:UpdateDevEndpoint", "glue:GetDevEndpoint"], Resource = "*" }] # expect: JEP105
  })
}
