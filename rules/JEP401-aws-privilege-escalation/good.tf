# A role that only invokes functions cannot make one run as another role.
resource "aws_iam_role" "scheduler" {
  name = "scheduler"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "scheduler.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "invoke" {
  name = "invoke"
  role = aws_iam_role.scheduler.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "lambda:InvokeFunction", Resource = "arn:aws:lambda:eu-west-1:123456789012:function:orders" }]
  })
}

# Rotating one's own access keys is not an escalation.
resource "aws_iam_user" "rotator" {
  name = "rotator"
}

resource "aws_iam_user_policy" "rotate" {
  name = "rotate"
  user = aws_iam_user.rotator.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys"]
      Resource = "arn:aws:iam::*:user/$${aws:username}"
    }]
  })
}
