# The same CI, without long-lived keys: GitHub Actions assumes a role through OIDC, GCP keys are
# rotated monthly or expire by org policy, and the runner mounts a projected token.
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "ci" {
  name = "ci-deployer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:example/shop:ref:refs/heads/main" } }
    }]
  })
}

resource "github_actions_secret" "role" {
  repository      = "shop"
  secret_name     = "AWS_ROLE_ARN"
  plaintext_value = aws_iam_role.ci.arn
}

# A person's console access: no access key, so not a machine user.
resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_user_login_profile" "alice" {
  user = aws_iam_user.alice.name
}

# A key kept for a migration but disabled: it cannot sign requests.
resource "aws_iam_access_key" "legacy" {
  user   = aws_iam_user.alice.name
  status = "Inactive"
}

resource "time_rotating" "monthly" {
  rotation_days = 30
}

resource "google_service_account" "exporter" {
  account_id = "metrics-exporter"
}

resource "google_service_account_key" "rotated" {
  service_account_id = google_service_account.exporter.name
  keepers = {
    rotation = time_rotating.monthly.id
  }
}

resource "google_org_policy_policy" "key_expiry" {
  name   = "organizations/123456789/policies/iam.serviceAccountKeyExpiryHours"
  parent = "organizations/123456789"
  spec {
    rules {
      values {
        allowed_values = ["720h"]
      }
    }
  }
}

resource "google_service_account_key" "expiring" {
  service_account_id = google_service_account.exporter.name
}
