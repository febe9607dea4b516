module "ci" {
  source = "./modules/role"
  name   = null
}

resource "aws_iam_role_policy_attachment" "ci_admin" {
  role       = module.ci.role_name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
