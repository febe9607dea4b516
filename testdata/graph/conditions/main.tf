# Conditions and permissions boundaries narrow a grant: the finding says so and is one level lower.
resource "aws_iam_role" "deployer" {
  name                 = "deployer"
  assume_role_policy   = "{}"
  permissions_boundary = aws_iam_policy.boundary.arn
}

resource "aws_iam_policy" "boundary" {
  name = "deploy-boundary"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["s3:*", "cloudformation:*"], Resource = "*" }]
  })
}

resource "aws_iam_role_policy" "pass" {
  role = aws_iam_role.deployer.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "iam:*" # JEP102 defers to JEP105 (same statement)
      Resource  = "*"     # expect: JEP105
      Condition = { StringEquals = { "iam:PassedToService" = "cloudformation.amazonaws.com" } }
    }]
  })
}
