locals {
  roles = toset(["deploy", "audit"])
  policies = {
    deploy = "arn:aws:iam::aws:policy/AdministratorAccess"
    audit  = "arn:aws:iam::aws:policy/ReadOnlyAccess"
  }
}

resource "aws_iam_role" "ci" {
  for_each           = local.roles
  name               = "ci-${each.key}"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "ci" {
  for_each   = { for name, arn in local.policies : name => arn if arn != "" }
  role       = aws_iam_role.ci[each.key].name
  policy_arn = each.value
}
