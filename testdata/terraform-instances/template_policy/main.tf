# Policies written as JSON templates, filled by templatefile() with their variables.
variable "buckets" {
  default = ["exports", "imports"]
}

resource "aws_kms_key" "data" {}

resource "aws_iam_role" "loader" {
  name               = "loader"
  assume_role_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
}

resource "aws_iam_role_policy" "bucket" {
  for_each = toset(var.buckets)
  name     = "bucket-${each.key}"
  role     = aws_iam_role.loader.id
  policy = templatefile("${path.module}/policies/service.json.tpl", {
    service = "s3"
    bucket  = each.key
    key_arn = aws_kms_key.data.arn
  })
}

resource "aws_iam_role_policy" "queues" {
  name = "queues"
  role = aws_iam_role.loader.id
  policy = templatefile("${path.module}/policies/queues.json.tpl", {
    queue_arns = ["arn:aws:sqs:eu-west-1:123456789012:jobs"]
  })
}
