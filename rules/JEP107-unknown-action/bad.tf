# A reader with a typo in its Allow and a Deny that protects nothing.
resource "aws_iam_role" "reader" {
  name               = "report-reader"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "read" {
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObjcet", "s3:ListBucket"] # expect: JEP107
        Resource = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
      },
      {
        Effect   = "Deny"
        Action   = "s4:DeleteBucket" # expect: JEP107
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = "docdb:DescribeDBClusters" # expect: JEP107
        Resource = "*"
      },
    ]
  })
}
