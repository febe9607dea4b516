# terraform-aws-modules style user module: its key and console password exist only when asked for.
variable "name" {
  type = string
}

variable "create_access_key" {
  type    = bool
  default = true
}

variable "create_login_profile" {
  type    = bool
  default = true
}

resource "aws_iam_user" "this" {
  count = 1
  name  = var.name
}

resource "aws_iam_user_login_profile" "this" {
  count = var.create_login_profile ? 1 : 0
  user  = aws_iam_user.this[0].name
}

resource "aws_iam_access_key" "this" {
  count = var.create_access_key ? 1 : 0
  user  = aws_iam_user.this[0].name
}
