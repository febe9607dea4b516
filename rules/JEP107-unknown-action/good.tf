# The same reader with real action names.
resource "aws_iam_role" "reader" {
  name               = "report-reader"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "read" {
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
      },
      {
        Effect   = "Deny"
        Action   = "s3:DeleteBucket"
        Resource = "*"
      },
    ]
  })
}
