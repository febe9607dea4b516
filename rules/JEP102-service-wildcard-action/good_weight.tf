# Not reported: listing and describing on every resource; a narrow pattern on one named key that
# neither destroys nor manages permissions (kms:GenerateDataKey* is not a service wildcard); log
# plumbing patterns.
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["ec2:Describe*", "s3:List*", "cloudtrail:List*"], Resource = "*" },
      {
        Effect   = "Allow"
        Action   = ["kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:Decrypt"]
        Resource = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      },
      { Effect = "Allow", Action = ["logs:CreateLog*", "logs:PutLogEvents"], Resource = "arn:aws:logs:eu-west-1:123456789012:log-group:/app:*" },
    ]
  })
}
