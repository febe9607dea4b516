# Roles that people assume with MFA from the operations account: 12-hour workforce sessions, not a
# workload's (a workload cannot present MFA).
resource "aws_iam_role" "auditors" {
  name                 = "security-audit"
  max_session_duration = 43200
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "sts:AssumeRole"
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}
