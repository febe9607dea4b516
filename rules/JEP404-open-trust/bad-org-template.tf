# Still reported: the OU path is a template whose first part is a wildcard — any organisation.
variable "ou" {
  type = string
}

data "aws_iam_policy_document" "any_org" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"] # expect: JEP404
    }
    condition {
      test     = "ForAnyValue:StringLike"
      variable = "aws:PrincipalOrgPaths"
      values   = ["*/${var.ou}/*"]
    }
  }
}

resource "aws_iam_role" "any_org" {
  name               = "any-org"
  assume_role_policy = data.aws_iam_policy_document.any_org.json
}
