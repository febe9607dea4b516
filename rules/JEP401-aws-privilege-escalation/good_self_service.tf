# The self-service policy users get to manage their own credentials (AWS's "manage own credentials"
# example): every resource is the caller's own user, with or without an IAM path (`user/*/...`:
# the `*` is the path, the name is `${aws:username}`). No one gets anyone else's keys.
resource "aws_iam_group" "engineers" {
  name = "engineers"
}

resource "aws_iam_group_policy" "self_service" {
  group = aws_iam_group.engineers.name
  policy = jsonencode({
    Statement = [
      {
        Sid      = "ManageOwnAccessKeys"
        Effect   = "Allow"
        Action   = ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey"]
        Resource = ["arn:aws:iam::111122223333:user/$${aws:username}", "arn:aws:iam::111122223333:user/*/$${aws:username}"]
      },
      {
        Sid      = "ManageOwnPassword"
        Effect   = "Allow"
        Action   = ["iam:UpdateLoginProfile", "iam:ChangePassword"]
        Resource = ["arn:aws:iam::111122223333:user/*/$${aws:username}"]
      },
      {
        Sid      = "CreateOwnMfaDevice"
        Effect   = "Allow"
        Action   = "iam:CreateVirtualMFADevice"
        Resource = "arn:aws:iam::111122223333:mfa/*"
      },
    ]
  })
}
