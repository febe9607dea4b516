# Sessions of an hour (the default); a workforce role that people assume through SAML.
resource "aws_iam_role" "ci" {
  name                 = "ci-deployer"
  max_session_duration = 3600
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

resource "aws_iam_role" "engineers" {
  name                 = "engineers"
  max_session_duration = 43200
  assume_role_policy   = data.aws_iam_policy_document.saml.json
}

data "aws_iam_policy_document" "saml" {
  statement {
    actions = ["sts:AssumeRoleWithSAML"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:saml-provider/corporate-idp"]
    }
  }
}

resource "aws_rolesanywhere_profile" "backup" {
  name      = "on-prem-backup"
  role_arns = [aws_iam_role.ci.arn]
}
