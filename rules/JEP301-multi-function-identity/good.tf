# A least-privilege rotation role: rotate, read and write one secret family, decrypt with its key.
resource "aws_iam_role" "rotator" {
  name               = "secrets-rotator"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "rotation" {
  name = "rotation"
  role = aws_iam_role.rotator.id
  policy = jsonencode({
    Statement = [
      {
        Effect = "Allow"
        Action = [
          "secretsmanager:RotateSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecretVersionStage", "secretsmanager:DescribeSecret",
        ]
        Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-*"
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      },
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/rotator:*"
      },
    ]
  })
}
