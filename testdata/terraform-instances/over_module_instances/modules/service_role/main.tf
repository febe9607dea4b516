variable "name" {}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
}

output "role_name" {
  value = aws_iam_role.this.name
}
