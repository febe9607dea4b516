# var.actions has no default and no tfvars: the grant is unresolved, never a false wildcard.
variable "actions" {
  type = list(string)
}

resource "aws_iam_role" "job" {
  name               = "job"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "job" {
  role = aws_iam_role.job.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}
