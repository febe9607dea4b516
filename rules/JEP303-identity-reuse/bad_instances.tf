# Reported: two instances share a role that, beyond describing and tagging, writes the exports
# bucket: the web server can overwrite what the batch instance exports.
resource "aws_iam_role" "tagger" { # expect: JEP303
  name = "instances"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "tag" {
  name = "instances"
  role = aws_iam_role.tagger.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["ec2:DescribeInstances", "ec2:CreateTags"], Resource = "*" },
      { Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::batch-exports/*" },
    ]
  })
}

resource "aws_iam_instance_profile" "tagger" {
  name = "instances"
  role = aws_iam_role.tagger.name
}

resource "aws_instance" "web" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.tagger.name
}

resource "aws_instance" "batch" {
  ami                  = "ami-0fedcba9876543210"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.tagger.name
}
