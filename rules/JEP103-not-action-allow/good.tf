# Deny with NotAction is a guard-rail (deny everything outside one region's services), not a grant.
resource "aws_iam_user" "builder" {
  name = "build-bot"
}

resource "aws_iam_user_policy" "builder" {
  name   = "builds"
  user   = aws_iam_user.builder.name
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
          "Resource": "arn:aws:codebuild:eu-west-1:123456789012:project/app"
        },
        {
          "Effect": "Deny",
          "NotAction": ["codebuild:*"],
          "Resource": "*"
        }
      ]
    }
  POLICY
}
