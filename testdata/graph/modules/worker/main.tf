variable "role_name" {
  type = string
}

variable "actions" {
  type = list(string)
}

resource "aws_iam_role" "this" {
  name               = var.role_name
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "this" {
  role = aws_iam_role.this.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = var.actions
      Resource = "arn:aws:s3:::${var.role_name}-data/*"
    }]
  })
}
