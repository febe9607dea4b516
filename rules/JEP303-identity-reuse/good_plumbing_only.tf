# Not reported: two instances share a role that holds only describing, tagging and log delivery:
# each tags its own root volume. Sharing it gives neither instance more than it needs.
resource "aws_iam_role" "tagger" {
  name = "root-volume-tagger"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "tag" {
  name = "tag-root-volume"
  role = aws_iam_role.tagger.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["ec2:DescribeInstances", "ec2:CreateTags", "logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" }]
  })
}

resource "aws_iam_instance_profile" "tagger" {
  name = "root-volume-tagger"
  role = aws_iam_role.tagger.name
}

resource "aws_instance" "linux" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.tagger.name
}

resource "aws_instance" "windows" {
  ami                  = "ami-0fedcba9876543210"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.tagger.name
}
