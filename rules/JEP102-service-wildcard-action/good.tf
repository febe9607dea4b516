# The reporting job with the three read actions it calls, on its one table.
resource "aws_iam_role" "reports" {
  name               = "reports-job"
  assume_role_policy = "{}"
}

data "aws_iam_policy_document" "reports_reader" {
  statement {
    sid       = "Table"
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"]
    resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/reports"]
  }
}

resource "aws_iam_policy" "reports_reader" {
  name   = "reports-reader"
  policy = data.aws_iam_policy_document.reports_reader.json
}

resource "aws_iam_role_policy_attachment" "reports" {
  role       = aws_iam_role.reports.name
  policy_arn = aws_iam_policy.reports_reader.arn
}
