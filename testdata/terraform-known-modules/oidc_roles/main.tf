module "github" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  version = "5.48.0"

  name     = "github-deploy"
  subjects = ["my-org/*"]
  policies = {
    deploy = "arn:aws:iam::aws:policy/PowerUserAccess"
  }
}

module "pinned" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  version = "5.48.0"

  name     = "github-pinned"
  subjects = ["repo:my-org/app:ref:refs/heads/main"]
}

module "external_dns" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "5.48.0"

  role_name = "external-dns"
  oidc_providers = {
    main = {
      provider_arn               = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
      namespace_service_accounts = ["kube-system:external-dns"]
    }
  }
}
