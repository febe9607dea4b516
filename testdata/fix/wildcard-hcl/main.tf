resource "aws_iam_role" "reader" {
  name               = "reader"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags = {
    "jeplint.io/purpose" = "object-storage-read"
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "everything" {
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*" # to be narrowed
      Resource = "arn:aws:s3:::reports/*"
    }]
  })
}

data "aws_iam_policy_document" "bucket" {
  statement {
    # reading the reports
    actions = [
      "s3:*",
    ]
    resources = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
  }
}

resource "aws_iam_role_policy" "bucket" {
  role   = aws_iam_role.reader.id
  policy = data.aws_iam_policy_document.bucket.json
}
