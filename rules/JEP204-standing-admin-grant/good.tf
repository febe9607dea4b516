# The same access, bounded in time or just in time.
resource "google_service_account" "deployer" {
  account_id = "deployer"
}

resource "google_project_iam_member" "deployer_iam" {
  project = "shop-prod"
  role    = "roles/resourcemanager.projectIamAdmin"
  member  = "serviceAccount:${google_service_account.deployer.email}"
  condition {
    title      = "migration-window"
    expression = "request.time < timestamp(\"2099-01-01T00:00:00Z\")"
  }
}

# A person, not a workload.
resource "google_project_iam_member" "security_lead" {
  project = "shop-prod"
  role    = "roles/iam.securityAdmin"
  member  = "user:lead@example.com"
}

resource "azuread_service_principal" "release" {
  client_id = "11111111-1111-1111-1111-111111111111"
}

data "azurerm_role_definition" "owner" {
  name = "Owner"
}

resource "azurerm_pim_eligible_role_assignment" "release_owner" {
  scope              = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_id = "/subscriptions/00000000-0000-0000-0000-000000000000${data.azurerm_role_definition.owner.id}"
  principal_id       = azuread_service_principal.release.object_id
  justification      = "release automation, activated per release"
}

resource "azurerm_pim_active_role_assignment" "release_window" {
  scope              = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
  principal_id       = azuread_service_principal.release.object_id
  justification      = "release window"
  schedule {
    expiration {
      duration_hours = 8
    }
  }
}
