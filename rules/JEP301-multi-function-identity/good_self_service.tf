# A release uploader that also manages its own access keys and MFA device: self-service on its own user is
# not identity administration next to its function (no separation-of-duties conflict).
resource "aws_iam_user" "deployer" {
  name = "deployer"
}

resource "aws_iam_user_policy" "deployer" {
  user = aws_iam_user.deployer.name
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:PutObject", "lambda:InvokeFunction"]
        Resource = ["arn:aws:s3:::releases/*", "arn:aws:lambda:eu-west-1:111122223333:function:deploy"]
      },
      {
        Effect   = "Allow"
        Action   = ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey"]
        Resource = "arn:aws:iam::111122223333:user/*/$${aws:username}"
      },
      {
        Effect   = "Allow"
        Action   = "iam:CreateVirtualMFADevice"
        Resource = "arn:aws:iam::111122223333:mfa/*"
      },
    ]
  })
}
