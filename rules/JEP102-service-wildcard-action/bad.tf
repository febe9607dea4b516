# A reporting job that reads one table, but holds every DynamoDB action through a data document
# (a warning: DeleteTable on its table), reads every object of every bucket (a note: data read), and
# a pattern on its one key that reaches key deletion and key policies (a warning).
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
    sid       = "Archive"
    actions   = ["s3:Get*"] # expect: JEP102
    resources = ["arn:aws:s3:::*/*"]
  }
  statement {
    sid       = "Keys"
    actions   = ["kms:*Key*"] # expect: JEP102
    resources = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
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
