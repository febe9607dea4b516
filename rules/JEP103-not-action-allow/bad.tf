# A build user that may do everything except IAM: still every other service in the account.
resource "aws_iam_user" "builder" {
  name = "build-bot"
}

resource "aws_iam_user_policy" "builder" {
  name   = "all-but-iam"
  user   = aws_iam_user.builder.name
  # expect+7: JEP103
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "NotAction": ["iam:*", "organizations:*"],
          "Resource": "*"
        }
      ]
    }
  POLICY
}
