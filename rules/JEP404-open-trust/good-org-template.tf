# The organisation-wide trust written with the organisation looked up at apply time: the OU path's
# organisation id is unknown here, but the condition is not a wildcard, so the role stays pinned to
# the organisation's OU.
data "aws_organizations_organization" "root" {}

locals {
  platform_ou = "ou-ab12-11111111"
}

data "aws_iam_policy_document" "org_read" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "ForAnyValue:StringLike"
      variable = "aws:PrincipalOrgPaths"
      values   = ["${data.aws_organizations_organization.root.id}/*/${local.platform_ou}/*"]
    }
  }
}

resource "aws_iam_role" "org_read" {
  name               = "org-read"
  assume_role_policy = data.aws_iam_policy_document.org_read.json
}
