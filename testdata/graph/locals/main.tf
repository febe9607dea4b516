# sqs:* reaches the statement through a local: the finding points at the local's token.
locals {
  queue_actions = ["sqs:*"] # expect: JEP102
  queue_arn     = "arn:aws:sqs:eu-west-1:123456789012:orders"
}

resource "aws_iam_role" "consumer" {
  name               = "orders-consumer"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "consume" {
  role = aws_iam_role.consumer.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = local.queue_actions
      Resource = local.queue_arn
    }]
  })
}

resource "aws_lambda_function" "consumer" {
  function_name = "orders-consumer"
  role          = aws_iam_role.consumer.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "app.zip"
}
