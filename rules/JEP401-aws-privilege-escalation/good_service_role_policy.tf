# A Glue crawler's role with the policy AWS publishes for Glue's own role (AWSGlueServiceRole grants
# glue:* on *, dev endpoints included): AWS's design for the service, held by nothing else.
resource "aws_iam_role" "crawler" {
  name = "cur-crawler"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "glue.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "glue" {
  role       = aws_iam_role.crawler.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
}
