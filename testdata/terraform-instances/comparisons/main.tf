# count and for_each decided by comparisons and arithmetic, GitHub OIDC audiences by coalescelist.
variable "admins" {
  default = ["ops-bot"]
}
variable "audiences" {
  default = []
}
variable "max_roles" {
  default = 3
}

resource "aws_iam_group" "admins" {
  count = length(var.admins) > 0 ? 1 : 0
  name  = "admins"
}

resource "aws_iam_group_membership" "admins" {
  count = length(var.admins) > 0 ? 1 : 0
  name  = "admins"
  group = aws_iam_group.admins[0].name
  users = var.admins
}

resource "aws_iam_group_policy_attachment" "admins" {
  count      = var.max_roles - 2 >= 1 ? 1 : 0
  group      = aws_iam_group.admins[0].name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user" "ops_bot" {
  name = "ops-bot"
}

data "aws_iam_policy_document" "github" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = coalescelist(var.audiences, ["sts.amazonaws.com"])
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [for r in ["acme/*"] : "repo:${trimprefix(r, "repo:")}:*"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.github.json
}

resource "aws_iam_group_policy_attachment" "never" {
  count      = var.max_roles * 2 > 10 ? 1 : 0
  group      = aws_iam_group.admins[0].name
  policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"
}
