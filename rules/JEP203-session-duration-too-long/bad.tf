# A CI role whose sessions last a working day, and a Roles Anywhere profile issuing 6-hour sessions.
resource "aws_iam_role" "ci" {
  name                 = "ci-deployer"
  max_session_duration = 43200 # expect: JEP203
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:example/shop:environment:production" } }
    }]
  })
}

resource "aws_iam_role" "backup" {
  name               = "on-prem-backup"
  assume_role_policy = data.aws_iam_policy_document.rolesanywhere.json
}

data "aws_iam_policy_document" "rolesanywhere" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
    principals {
      type        = "Service"
      identifiers = ["rolesanywhere.amazonaws.com"]
    }
  }
}

resource "aws_rolesanywhere_profile" "backup" {
  name             = "on-prem-backup"
  role_arns        = [aws_iam_role.backup.arn]
  duration_seconds = 6 * 60 * 60 # expect: JEP203
}
