# API operation names written as IAM actions: the suggestion names the IAM action of the same
# operation (same noun), never an action on something else; several names of one service that the
# catalogue does not know make one finding, and the message says which catalogue it checked.
resource "aws_iam_role" "pipeline" {
  name               = "data-pipeline"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "pipeline" {
  role = aws_iam_role.pipeline.id
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:PutBucketNotificationConfiguration"] # expect: JEP107
        Resource = "arn:aws:s3:::landing"
      },
      {
        Effect   = "Allow"
        Action   = ["glue:ListConnections"] # expect: JEP107
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["transform:ListFrobnicators", "transform:GetFrobnicator", "transform:ListWidgets"] # expect: JEP107
        Resource = "*"
      },
    ]
  })
}
