# A generic module writes both arguments and lets its caller leave one null: the statements below
# set `actions` (known) and leave `not_actions` / `not_resources` unset, so there is no NotAction.
variable "statements" {
  type = list(object({
    sid           = string
    actions       = optional(list(string))
    not_actions   = optional(list(string))
    resources     = optional(list(string))
    not_resources = optional(list(string))
  }))
  default = [
    { sid = "ReadReports", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::reports/*"] },
  ]
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.statements
    content {
      sid           = statement.value.sid
      actions       = statement.value.actions
      not_actions   = statement.value.not_actions
      resources     = statement.value.resources
      not_resources = lookup(statement.value, "not_resources", null)
    }
  }
}

resource "aws_iam_role" "reports" {
  name               = "reports"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "reports" {
  role   = aws_iam_role.reports.id
  policy = data.aws_iam_policy_document.this.json
}
