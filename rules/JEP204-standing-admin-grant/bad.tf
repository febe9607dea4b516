# Administrator-grade roles held around the clock by workloads.
resource "google_service_account" "deployer" { # expect: JEP403
  account_id = "deployer"
}

resource "google_project_iam_member" "deployer_iam" {
  project = "shop-prod"
  role    = "roles/resourcemanager.projectIamAdmin" # expect: JEP204
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_project_iam_binding" "security" {
  project = "shop-prod"
  role    = "roles/iam.securityAdmin" # expect: JEP204
  members = ["serviceAccount:${google_service_account.deployer.email}"]
  condition {
    title      = "prod-only"
    expression = "resource.name.startsWith(\"projects/shop-prod\")"
  }
}

resource "azurerm_user_assigned_identity" "pipeline" { # expect: JEP403
  name                = "pipeline"
  resource_group_name = "rg-ci"
  location            = "westeurope"
}

resource "azurerm_role_assignment" "pipeline_rbac" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Role Based Access Control Administrator" # expect: JEP204
  principal_id         = azurerm_user_assigned_identity.pipeline.principal_id
}

resource "azuread_service_principal" "release" {
  client_id = "11111111-1111-1111-1111-111111111111"
}

data "azurerm_role_definition" "owner" {
  name = "Owner"
}

resource "azurerm_pim_active_role_assignment" "release_owner" {
  scope              = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_id = "/subscriptions/00000000-0000-0000-0000-000000000000${data.azurerm_role_definition.owner.id}" # expect: JEP204
  principal_id       = azuread_service_principal.release.object_id
  justification      = "release automation"
}
