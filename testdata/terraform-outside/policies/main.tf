# Customer managed policies created in every member account; SSO permission sets (../sso) and
# roles of other roots (../member) refer to them by name.
resource "aws_iam_policy" "developer" {
  name = "developer_policy"
  path = "/"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "ec2:*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "upload" {
  name = "upload_policy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "kms:*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "orphan" {
  name = "orphan_policy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "shared" {
  name = "shared_policy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sns:*", Resource = "*" }]
  })
}
