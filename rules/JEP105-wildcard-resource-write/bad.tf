# An uploader that can write to, and delete from, every bucket in the account.
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
    Statement = [{
      Effect   = "Allow"
      Action   = local.upload_actions
      Resource = ["*"] # expect: JEP105
    }]
  })
}
