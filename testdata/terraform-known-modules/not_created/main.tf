module "disabled" {
  source      = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version     = "5.39.1"
  create_role = false
  role_name   = "disabled"

  custom_role_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}

module "default_off" {
  source    = "git::https://github.com/terraform-aws-modules/terraform-aws-iam.git//modules/iam-assumable-role?ref=v5.39.1"
  role_name = "never-created"

  attach_admin_policy = true
}

module "lookalike" {
  source      = "example-org/iam/aws//modules/iam-assumable-role"
  create_role = true
  role_name   = "lookalike"

  custom_role_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
