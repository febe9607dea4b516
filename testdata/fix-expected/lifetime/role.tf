resource "aws_iam_role" "deploy" {
  name                 = "deploy"
  assume_role_policy   = "{}"
  max_session_duration = 3600 # twelve hours
}
