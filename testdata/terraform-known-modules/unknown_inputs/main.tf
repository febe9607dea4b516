variable "policy_arns" {
  type = list(string)
}

variable "create" {
  type = bool
}

module "ci" {
  source      = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version     = "~> 5.0"
  create_role = var.create
  role_name   = "ci"

  trusted_role_arns       = ["arn:aws:iam::123456789012:root"]
  custom_role_policy_arns = var.policy_arns
  attach_admin_policy     = var.create
  role_policy_json        = "{}"
}
