data "aws_iam_policy_document" "wide" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
}

module "wide_policy" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-policy"
  version = "5.48.0"

  name   = "wide"
  policy = data.aws_iam_policy_document.wide.json
}

module "app" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "6.2.0"

  name            = "app"
  use_name_prefix = false
  trust_policy_permissions = {
    ec2 = {
      actions = ["sts:AssumeRole"]
      principals = [{
        type        = "Service"
        identifiers = ["ec2.amazonaws.com"]
      }]
    }
  }
  policies = {
    wide = module.wide_policy.arn
  }
}
