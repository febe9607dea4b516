locals {
  roles = {
    deploy = {
      services = ["codebuild.amazonaws.com"]
      policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    }
    audit = {
      services = ["lambda.amazonaws.com"]
      policies = ["arn:aws:iam::aws:policy/SecurityAudit"]
    }
  }
}

module "service_roles" {
  for_each = local.roles
  source   = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version  = "5.48.0"

  create_role             = true
  role_name               = "svc-${each.key}"
  role_requires_mfa       = false
  trusted_role_services   = each.value.services
  custom_role_policy_arns = each.value.policies
}

resource "aws_lambda_function" "audit" {
  function_name = "audit"
  role          = module.service_roles["audit"].iam_role_arn
  runtime       = "python3.12"
  handler       = "main.handler"
  filename      = "audit.zip"
}
