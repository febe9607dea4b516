# source_policy_documents, override_policy_documents and dynamic statements.
locals {
  grants = [
    { actions = ["dynamodb:GetItem"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/a"] },
    { actions = ["kms:*"], resources = ["*"] }, # expect: JEP105 (JEP102 defers to it)
  ]
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Logs"
    actions   = ["logs:PutLogEvents"]
    resources = ["arn:aws:logs:eu-west-1:123456789012:log-group:/app:*"]
  }
  statement {
    sid       = "Bucket"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::app/*"]
  }
}

data "aws_iam_policy_document" "narrow" {
  statement {
    sid       = "Bucket"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::app/*"]
  }
}

data "aws_iam_policy_document" "app" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.narrow.json]

  dynamic "statement" {
    for_each = local.grants
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}
