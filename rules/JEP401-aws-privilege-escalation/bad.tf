# A CI role that can create and invoke Lambda functions, and pass any role to them: it can run code
# as any role in the account that trusts lambda.amazonaws.com. The three actions come from two
# policies; JEP401 reads the role's effective permissions, so the combination is found.
resource "aws_iam_role" "ci" { # expect: JEP401
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "functions" {
  name = "functions"
  role = aws_iam_role.ci.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["lambda:CreateFunction", "lambda:InvokeFunction"]
      Resource = "*" # expect: JEP105
    }]
  })
}

resource "aws_iam_policy" "pass" {
  name = "pass"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*" # expect: JEP105
    }]
  })
}

resource "aws_iam_role_policy_attachment" "pass" {
  role       = aws_iam_role.ci.name
  policy_arn = aws_iam_policy.pass.arn
}

# A user who may write inline policies on itself: self-escalation, even on its own ARN only.
resource "aws_iam_user" "bot" { # expect: JEP401
  name = "bot"
}

resource "aws_iam_user_policy" "self" {
  name = "self"
  user = aws_iam_user.bot.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PutUserPolicy"
      Resource = "arn:aws:iam::123456789012:user/bot"
    }]
  })
}

# PassRole limited to one role (without iam:PassedToService): one level lower, a warning.
resource "aws_iam_role" "builder" { # expect: JEP401
  name               = "builder"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

resource "aws_iam_role_policy" "builder" {
  name = "builder"
  role = aws_iam_role.builder.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/batch-worker"
      },
      {
        Effect   = "Allow"
        Action   = "ec2:RunInstances"
        Resource = "arn:aws:ec2:eu-west-1:123456789012:*"
      },
    ]
  })
}

# A policy attached to nobody is judged on its own.
resource "aws_iam_policy" "unused" {
  name = "unused"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:CreatePolicyVersion" # expect: JEP401
      Resource = "*" # expect: JEP105
    }]
  })
}
