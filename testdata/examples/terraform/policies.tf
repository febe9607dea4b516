locals {
  table_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/reports"
}

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Artefacts"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject"]
        Resource = "arn:aws:s3:::ci-artefacts/*"
      },
      {
        Sid      = "Everything"
        Effect   = "Allow"
        Action   = "*" # expect: JEP101
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "reports_reader" {
  statement {
    actions   = ["dynamodb:*"] # expect: JEP102
    resources = [local.table_arn]
  }
}

resource "aws_iam_policy" "reports_reader" {
  name   = "reports-reader"
  policy = data.aws_iam_policy_document.reports_reader.json
}

resource "aws_iam_policy" "uploads" {
  name = "uploads"
  # expect+8: JEP105
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:PutObject", "s3:PutObjectAcl"],
      "Resource": "*"
    }
  ]
}
EOF
}
