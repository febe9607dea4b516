# The uploader scoped to its bucket; listing buckets only exists on "*" and is not reported.
locals {
  upload_actions = ["s3:PutObject", "s3:DeleteObject"]
}

resource "aws_iam_role" "uploader" {
  name               = "uploader"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "upload" {
  name = "upload"
  role = aws_iam_role.uploader.name
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = local.upload_actions
        Resource = ["arn:aws:s3:::uploads/*"]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:ListAllMyBuckets", "sts:GetCallerIdentity"]
        Resource = "*"
      },
    ]
  })
}
