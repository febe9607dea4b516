variable "policies" {
  type = map(string)
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "app" {
  for_each   = var.policies
  role       = aws_iam_role.app.name
  policy_arn = each.value
}
