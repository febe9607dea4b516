# A CI user with an access key and a console password, the key copied into GitHub, a GCP key that
# nobody rotates, another rotated once a year, and a legacy service-account token Secret.
resource "aws_iam_user" "ci" {
  name = "ci-bot"
}

resource "aws_iam_access_key" "ci" { # expect: JEP201
  user = aws_iam_user.ci.name
}

resource "aws_iam_user_login_profile" "ci" { # expect: JEP201
  user = aws_iam_user.ci.name
}

resource "aws_iam_access_key" "deploy" { # expect: JEP201
  user = var.deploy_user
}

resource "github_actions_secret" "aws_key" {
  repository      = "shop"
  secret_name     = "AWS_SECRET_ACCESS_KEY"
  plaintext_value = aws_iam_access_key.ci.secret # expect: JEP201
}

resource "github_actions_environment_secret" "azure" {
  repository  = "shop"
  environment = "production"
  secret_name = "ARM_CLIENT_SECRET" # expect: JEP201
  plaintext_value = var.client_secret
}

resource "google_service_account" "exporter" {
  account_id = "metrics-exporter"
}

resource "google_service_account_key" "exporter" { # expect: JEP201
  service_account_id = google_service_account.exporter.name
}

resource "time_rotating" "yearly" {
  rotation_years = 1
}

resource "google_service_account_key" "yearly" { # expect: JEP201
  service_account_id = google_service_account.exporter.name
  keepers = {
    rotation = time_rotating.yearly.id
  }
}

resource "kubernetes_secret_v1" "runner_token" {
  metadata {
    name      = "runner-token"
    namespace = "ci"
    annotations = {
      "kubernetes.io/service-account.name" = kubernetes_service_account_v1.runner.metadata[0].name
    }
  }
  type                           = "kubernetes.io/service-account-token" # expect: JEP201
  wait_for_service_account_token = true
}

resource "kubernetes_service_account_v1" "runner" {
  metadata {
    name      = "runner"
    namespace = "ci"
  }
}
