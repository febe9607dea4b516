# Still reported: one trust statement requires MFA, the other lets a CI role in without it, and an
# MFA condition "IfExists" holds for a caller without MFA.
resource "aws_iam_role" "deployers" {
  name                 = "deployers"
  max_session_duration = 43200 # expect: JEP203
  assume_role_policy = jsonencode({
    Statement = [
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = "sts:AssumeRole"
        Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
      },
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/ci" }
        Action    = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role" "lenient" {
  name                 = "lenient"
  max_session_duration = 43200 # expect: JEP203
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "sts:AssumeRole"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}
