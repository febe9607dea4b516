# A secrets-rotation role that can also accept resource shares (identity administration) and export tables.
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
        Action   = ["ram:AcceptResourceShareInvitation"]
        Resource = "arn:aws:ram:eu-west-1:123456789012:resource-share-invitation/*"
      },
      {
        Effect   = "Allow"
        Action   = ["dynamodb:ExportTableToPointInTime"]
        Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/audit"
      },
    ]
  })
}
