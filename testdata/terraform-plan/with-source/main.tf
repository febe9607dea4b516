variable "pipelines" {
  type = set(string)
}

resource "aws_iam_role" "ci" {
  for_each = var.pipelines
  name     = "ci-${each.key}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "codebuild.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "ci" {
  for_each   = aws_iam_role.ci
  role       = each.value.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

data "aws_iam_roles" "breakglass" {
  name_regex = "^breakglass-.*"
}

resource "aws_iam_role_policy_attachment" "breakglass" {
  for_each   = data.aws_iam_roles.breakglass.names
  role       = each.value
  policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"
}

module "app" {
  source = "./modules/app"
  create = true
}

module "ops" {
  source    = "app.terraform.io/example/iam-role/aws"
  role_name = "ops"
}
