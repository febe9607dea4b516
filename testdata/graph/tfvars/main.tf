variable "deploy_actions" {
  type    = list(string)
  default = ["lambda:UpdateFunctionCode"]
}

resource "aws_iam_user" "deployer" {
  name = "legacy-deployer"
}

resource "aws_iam_user_policy" "deploy" {
  user = aws_iam_user.deployer.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.deploy_actions, Resource = "arn:aws:lambda:eu-west-1:123456789012:function:api" }]
  })
}
