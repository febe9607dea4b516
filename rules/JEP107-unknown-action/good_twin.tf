# A wrong prefix next to the real action it stands for: the statement already grants what was
# meant, so it does what it says (the dead line is harmless and not reported).
resource "aws_iam_role" "inventory" {
  name               = "inventory"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "inventory" {
  role = aws_iam_role.inventory.id
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["docdb:DescribeDBClusters", "rds:DescribeDBClusters", "vpc:DescribeSubnets", "ec2:DescribeSubnets"]
        Resource = "*"
      },
    ]
  })
}
