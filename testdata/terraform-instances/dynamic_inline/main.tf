# Inline policies of a role written as a dynamic block over a map of documents.
variable "inline_policies" {
  default = {
    queue = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"arn:aws:sqs:eu-west-1:123456789012:jobs\"}]}"
    admin = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"
  }
}

resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"

  inline_policy {
    name   = "logs"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "logs:PutLogEvents", Resource = "*" }] })
  }

  dynamic "inline_policy" {
    for_each = var.inline_policies
    iterator = doc
    content {
      name   = "worker-${doc.key}"
      policy = doc.value
    }
  }

  dynamic "inline_policy" {
    for_each = var.more_policies
    content {
      name   = inline_policy.key
      policy = inline_policy.value
    }
  }
}

variable "more_policies" {}

data "aws_iam_policy_document" "tables" {
  dynamic "statement" {
    for_each = { orders = "dynamodb:*" }
    iterator = table
    content {
      actions   = [table.value]
      resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/${table.key}"]
    }
  }
}

resource "aws_iam_role_policy" "tables" {
  name   = "tables"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.tables.json
}
