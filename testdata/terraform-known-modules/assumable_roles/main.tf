module "roles" {
  source = "github.com/terraform-aws-modules/terraform-aws-iam//modules/iam-assumable-roles?ref=de95e21a3bc51cd3a44b3b95a4c2f61000649ebb"

  create_admin_role    = true
  create_readonly_role = true
  readonly_role_name   = "read-only"
  trusted_role_arns    = ["arn:aws:iam::123456789012:root"]
}
