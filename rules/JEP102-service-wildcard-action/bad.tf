# A reporting job that reads one table, but holds every DynamoDB action through a data document.
resource "aws_iam_role" "reports" {
  name               = "reports-job"
  assume_role_policy = "{}"
}

data "aws_iam_policy_document" "reports_reader" {
  statement {
    sid       = "Table"
    actions   = ["dynamodb:*"] # expect: JEP102
    resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/reports"]
  }
  statement {
    sid = "Inventory"
    actions = [
      "ec2:Describe*", # expect: JEP102
    ]
    resources = ["*"]
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
