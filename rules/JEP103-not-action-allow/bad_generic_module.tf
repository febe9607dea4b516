# The same generic module, called with a NotAction statement: that one is reported.
variable "statements" {
  default = [
    { sid = "AllButIam", not_actions = ["iam:*"], resources = ["*"] },
  ]
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.statements
    content {
      sid         = statement.value.sid
      actions     = try(statement.value.actions, null)
      not_actions = try(statement.value.not_actions, null) # expect: JEP103
      resources   = statement.value.resources
    }
  }
}

resource "aws_iam_role" "ops" {
  name               = "ops"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "ops" {
  role   = aws_iam_role.ops.id
  policy = data.aws_iam_policy_document.this.json
}
