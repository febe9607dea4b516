# A Lambda execution role with AdministratorAccess attached by ARN.
resource "aws_iam_role" "lambda" {
  name               = "nightly-report"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.lambda.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess" # expect: JEP106
}
