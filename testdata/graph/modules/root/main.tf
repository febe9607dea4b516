# A root module that calls a local module twice and a registry module once.
module "batch" {
  source    = "../worker"
  role_name = "batch-worker"
  actions   = ["s3:*"] # expect: JEP102
}

module "reports" {
  source    = "../worker"
  role_name = "reports-worker"
  actions   = ["s3:GetObject"]
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
