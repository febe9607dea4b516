variable "ci_role" {
  type = string
}

resource "aws_iam_role_policy_attachment" "ci_admin" {
  role       = var.ci_role
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
