variable "name" {
  type    = string
  default = null
}

resource "aws_iam_role" "this" {
  name_prefix        = "ci-"
  name               = var.name
  assume_role_policy = "{}"
}

output "role_name" {
  value = aws_iam_role.this.name
}
