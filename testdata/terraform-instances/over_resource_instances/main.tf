# Iterating over another resource's instances: `for_each = aws_iam_policy.x` (a map by key),
# `[for p in aws_iam_policy.x : p.arn]` and `count = length(aws_iam_policy.y)`.

variable "buckets" {
  default = ["logs", "data"]
}

resource "aws_iam_policy" "per_bucket" {
  for_each = toset(var.buckets)
  name     = "write-${each.key}"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:PutObject"], Resource = ["arn:aws:s3:::${each.key}/*"] }]
  })
}

resource "aws_iam_policy" "counted" {
  count  = 2
  name   = "tables-${count.index}"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["dynamodb:GetItem"], Resource = "*" }] })
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_iam_role_policy_attachment" "each" {
  for_each   = aws_iam_policy.per_bucket
  role       = aws_iam_role.app.name
  policy_arn = each.value.arn
}

resource "aws_iam_role" "svc" {
  name                = "svc"
  assume_role_policy  = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
  managed_policy_arns = [for p in aws_iam_policy.per_bucket : p.arn]
}

resource "aws_iam_role_policy_attachment" "counted" {
  count      = length(aws_iam_policy.counted)
  role       = aws_iam_role.svc.name
  policy_arn = aws_iam_policy.counted[count.index].arn
}
