# The hop role trusts ci by ARN and may assume the platform administrator role.
resource "aws_iam_role" "hop" {
  name = "deploy-hop"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::123456789012:role/ci" } }]
  })
}

resource "aws_iam_role_policy" "hop_admin" {
  name = "to-admin"
  role = aws_iam_role.hop.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = aws_iam_role.admin.arn }]
  })
}
