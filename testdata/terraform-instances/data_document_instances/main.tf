# Policy documents made with for_each, read per instance wherever they are used.
locals {
  documents = {
    reader = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::exports/*"] }
    writer = { actions = ["s3:*"], resources = ["*"] }
  }
}

data "aws_iam_policy_document" "per" {
  for_each = local.documents
  statement {
    actions   = each.value.actions
    resources = each.value.resources
  }
}

resource "aws_iam_role" "etl" {
  name               = "etl"
  assume_role_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"glue.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
}

resource "aws_iam_policy" "per" {
  for_each = data.aws_iam_policy_document.per
  name     = "etl-${each.key}"
  policy   = each.value.json
}

resource "aws_iam_role_policy_attachment" "per" {
  for_each   = aws_iam_policy.per
  role       = aws_iam_role.etl.name
  policy_arn = each.value.arn
}

resource "aws_iam_role_policy" "inline" {
  for_each = toset(["writer"])
  name     = "inline-${each.key}"
  role     = aws_iam_role.etl.id
  policy   = data.aws_iam_policy_document.per[each.key].json
}

resource "aws_iam_role_policy" "unknown" {
  name   = "unknown"
  role   = aws_iam_role.etl.id
  policy = data.aws_iam_policy_document.per[var.which].json
}

variable "which" {}
