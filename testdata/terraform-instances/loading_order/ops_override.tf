resource "aws_iam_role_policy_attachment" "ops" {
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
