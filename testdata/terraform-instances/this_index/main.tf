variable "create" {
  type    = bool
  default = true
}

variable "name" {
  type = string
}

resource "aws_iam_role" "this" {
  count              = var.create ? 1 : 0
  name               = var.name
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "admin" {
  count      = var.create ? 1 : 0
  role       = aws_iam_role.this[0].name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
