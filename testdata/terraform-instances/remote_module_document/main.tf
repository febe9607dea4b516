data "aws_iam_policy_document" "ci" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
}

module "ci_role" {
  source      = "cloudposse/iam-role/aws"
  version     = "5.0.0"
  policy_json = data.aws_iam_policy_document.ci.json
}
