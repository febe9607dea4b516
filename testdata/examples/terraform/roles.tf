# A small platform account: a CI deployer, a reports job and an uploader. Policies live in
# policies.tf; this file holds the identities and the attachments.

resource "aws_iam_role" "ci_deployer" {
  name               = "ci-deployer"
  assume_role_policy = data.aws_iam_policy_document.github_oidc.json
}

resource "aws_iam_role" "reports" { # JEP302 reports its functions outside its declared purpose
  name               = "reports-job"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
  tags = {
    "jeplint.io/purpose" = "table-read" # expect: JEP302
  }
}

resource "aws_iam_user" "legacy_uploader" {
  name = "legacy-uploader"
}

resource "aws_iam_role_policy_attachment" "ci_deploy" {
  role       = aws_iam_role.ci_deployer.name
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_role_policy_attachment" "reports_read" {
  role       = aws_iam_role.reports.name
  policy_arn = aws_iam_policy.reports_reader.arn
}

resource "aws_iam_policy_attachment" "uploads" {
  name       = "uploads"
  users      = [aws_iam_user.legacy_uploader.name]
  roles      = [aws_iam_role.reports.name]
  policy_arn = aws_iam_policy.uploads.arn
}

resource "aws_iam_role_policy_attachment" "ci_admin" {
  role       = aws_iam_role.ci_deployer.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess" # expect: JEP106
}

data "aws_iam_policy_document" "github_oidc" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:example/platform:ref:refs/heads/main"]
    }
  }
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}
