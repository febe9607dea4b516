module "any_repo" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "~> 6.0"

  name               = "gha-any"
  enable_github_oidc = true
}

module "main_branch" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "~> 6.0"

  name               = "gha-main"
  enable_github_oidc = true
  oidc_subjects      = ["my-org/app:ref:refs/heads/main"]
  enable_saml        = false
}

module "saml" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "~> 6.0"

  name        = "saml"
  enable_saml = true
}
