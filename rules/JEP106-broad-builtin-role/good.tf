# The Lambda execution role with the AWS managed policy for writing its logs only.
resource "aws_iam_role" "lambda" {
  name               = "nightly-report"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.lambda.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}
