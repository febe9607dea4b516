module "deployer" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-user"
  version = "~> 6.0"

  name                 = "deployer"
  create_login_profile = false
  create_access_key    = false
  policies = {
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
  }
}

resource "aws_iam_user_policy" "assume" {
  name   = "assume"
  user   = module.deployer.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "*" }] })
}

module "operators" {
  source  = "registry.terraform.io/terraform-aws-modules/iam/aws//modules/iam-group"
  version = "6.1.0"

  name                               = "operators"
  users                              = [module.deployer.name]
  enable_self_management_permissions = false
  policies = {
    ReadOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
  }
}
