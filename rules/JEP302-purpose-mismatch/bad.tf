# A queue consumer (by its tag) that can also write to a bucket; and a purpose nobody defined.
resource "aws_iam_role" "consumer" {
  name               = "orders-consumer"
  assume_role_policy = "{}"
  tags = {
    "jeplint.io/purpose" = "queue-consumer" # expect: JEP302
  }
}

resource "aws_iam_role_policy" "consume" {
  role = aws_iam_role.consumer.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource = "arn:aws:sqs:eu-west-1:123456789012:orders" },
      { Effect = "Allow", Action = ["s3:PutObject"], Resource = "arn:aws:s3:::invoices/*" },
    ]
  })
}

resource "aws_iam_role" "mystery" {
  name               = "mystery"
  assume_role_policy = "{}"
  tags = {
    "jeplint.io/purpose" = "everything-nice" # expect: JEP302
  }
}
