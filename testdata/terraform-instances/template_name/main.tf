variable "cgid" {
  type = string
}

resource "aws_iam_role" "ops" {
  name               = "ops-${var.cgid}"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "ops" {
  role       = "ops-${var.cgid}"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role_policy_attachment" "other" {
  role       = "other-${var.cgid}"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
