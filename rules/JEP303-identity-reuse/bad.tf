# One execution role shared by two unrelated Lambda functions: the billing export can read the
# images too.
resource "aws_iam_role" "lambda" { # expect: JEP303
  name               = "lambda-shared"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.lambda.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "images" {
  name = "read-images"
  role = aws_iam_role.lambda.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::uploads/images/*" }]
  })
}

resource "aws_lambda_function" "resize" {
  function_name = "resize-images"
  role          = aws_iam_role.lambda.arn
  runtime       = "python3.12"
  handler       = "resize.handler"
  filename      = "resize.zip"
}

resource "aws_lambda_function" "billing" {
  function_name = "billing-export"
  role          = aws_iam_role.lambda.arn
  runtime       = "python3.12"
  handler       = "billing.handler"
  filename      = "billing.zip"
}
