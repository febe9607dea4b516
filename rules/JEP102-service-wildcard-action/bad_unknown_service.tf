# A pattern of a service the AWS action catalogue does not know ('vpc' actions are ec2:): what it
# grants cannot be weighed, so it is reported and says why.
resource "aws_iam_policy" "network_reader" {
  name = "network-reader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["vpc:List*"] # expect: JEP102
      Resource = "*"
    }]
  })
}
