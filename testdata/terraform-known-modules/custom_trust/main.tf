data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

module "open" {
  source = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"

  create_role                     = true
  role_name                       = "open"
  create_custom_role_trust_policy = true
  custom_role_trust_policy        = data.aws_iam_policy_document.trust.json
}
