# A secrets-rotation role that can also create, delete and detach roles (identity administration): the
# rotation and the IAM writes act on different resources, so a compromise of the rotator rewrites who
# can do what.
resource "aws_iam_role" "rotator" { # expect: JEP301
  name               = "secrets-rotator"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "rotation" {
  name = "rotation"
  role = aws_iam_role.rotator.id
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:RotateSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
        Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-*"
      },
      {
        Effect   = "Allow"
        Action   = ["iam:CreateRole", "iam:DeleteRole", "iam:DetachRolePolicy"]
        Resource = "arn:aws:iam::123456789012:role/app-*"
      },
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "*"
      },
    ]
  })
}
