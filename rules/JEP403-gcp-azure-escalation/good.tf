# Impersonating one service account, under a time-bound condition, is how delegation should look.
resource "google_service_account" "ci" {
  account_id = "ci-runner"
}

resource "google_service_account" "publisher" {
  account_id = "publisher"
}

resource "google_service_account_iam_member" "ci_as_publisher" {
  service_account_id = google_service_account.publisher.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.ci.email}"
  condition {
    title      = "release window"
    expression = "request.time < timestamp(\"2026-12-31T00:00:00Z\")"
  }
}

resource "azurerm_user_assigned_identity" "reporter" {
  name                = "reporter"
  resource_group_name = "ops"
  location            = "westeurope"
}

resource "azurerm_role_assignment" "reporter" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ops"
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.reporter.principal_id
}
