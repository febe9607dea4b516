resource "aws_iam_policy" "this" {
  name = "library-policy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "dynamodb:*", Resource = "*" }]
  })
}

output "arn" {
  value = aws_iam_policy.this.arn
}
