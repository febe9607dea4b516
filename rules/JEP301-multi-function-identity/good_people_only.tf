# Not judged: a database-administration role that only people assume (its trust requires MFA, which
# no workload can present). A person legitimately holds several functions; the same role assumed by
# a workload is reported (bad.tf).
data "aws_caller_identity" "current" {}

resource "aws_iam_role" "dba" {
  name = "database-administrators"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role_policy" "dba" {
  name = "dba"
  role = aws_iam_role.dba.id
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:RotateSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
        Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-*"
      },
      {
        Effect   = "Allow"
        Action   = ["iam:CreateRole", "iam:DeleteRole", "iam:DetachRolePolicy"]
        Resource = "arn:aws:iam::123456789012:role/app-*"
      },
    ]
  })
}

# Nor a role people reach only through SAML federation (their identity provider's sign-in).
resource "aws_iam_role" "saml" {
  name = "federated-dba"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithSAML"
      Principal = { Federated = "arn:aws:iam::123456789012:saml-provider/corp" }
      Condition = { StringEquals = { "SAML:aud" = "https://signin.aws.amazon.com/saml" } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "saml" {
  role       = aws_iam_role.saml.name
  policy_arn = aws_iam_policy.dba.arn
}

resource "aws_iam_policy" "dba" {
  name = "federated-dba"
  policy = jsonencode({
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:RotateSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
        Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-*"
      },
      {
        Effect   = "Allow"
        Action   = ["iam:CreateRole", "iam:DeleteRole", "iam:DetachRolePolicy"]
        Resource = "arn:aws:iam::123456789012:role/app-*"
      },
    ]
  })
}
