module "ci_user" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-user"
  version = "5.48.0"

  name                          = "ci"
  create_iam_user_login_profile = false
  force_destroy                 = true
  policy_arns                   = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

module "human" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-user"
  version = "6.0.0"

  name                 = "alice"
  create_access_key    = false
  create_login_profile = false
}
