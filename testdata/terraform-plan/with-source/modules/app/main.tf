variable "create" {
  type    = bool
  default = false
}

resource "aws_iam_role" "this" {
  count              = var.create ? 1 : 0
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "this" {
  count = var.create ? 1 : 0
  name  = "app-s3"
  role  = aws_iam_role.this[0].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}

module "irsa" {
  source    = "./irsa"
  role_name = try(aws_iam_role.this[0].name, null)
}
