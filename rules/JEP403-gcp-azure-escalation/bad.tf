# A CI service account that can mint access tokens for every service account of the project.
resource "google_service_account" "ci" { # expect: JEP403
  account_id = "ci-runner"
}

resource "google_project_iam_member" "ci_tokens" {
  project = "shop-prod"
  role    = "roles/iam.serviceAccountTokenCreator"
  member  = "serviceAccount:${google_service_account.ci.email}"
}

# A deployer that may act as any service account and create Cloud Functions: it can run code as any
# of them. The two permissions come from two roles.
resource "google_service_account" "deployer" { # expect: JEP403
  account_id = "deployer"
}

resource "google_project_iam_member" "deployer_act_as" {
  project = "shop-prod"
  role    = "roles/iam.serviceAccountUser"
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_project_iam_custom_role" "functions" {
  role_id     = "functionsDeployer"
  title       = "Functions deployer"
  permissions = ["cloudfunctions.functions.create", "cloudfunctions.functions.sourceCodeSet", "cloudfunctions.functions.call"]
}

resource "google_project_iam_member" "deployer_functions" {
  project = "shop-prod"
  role    = google_project_iam_custom_role.functions.id
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

# An Azure automation identity whose custom role may assign roles at subscription scope.
resource "azurerm_user_assigned_identity" "automation" { # expect: JEP403
  name                = "automation"
  resource_group_name = "ops"
  location            = "westeurope"
}

resource "azurerm_role_definition" "access_manager" {
  name  = "access-manager"
  scope = "/subscriptions/00000000-0000-0000-0000-000000000000"
  permissions {
    actions = ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Resources/subscriptions/resourceGroups/read"]
  }
}

resource "azurerm_role_assignment" "automation" {
  scope              = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_id = azurerm_role_definition.access_manager.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.automation.principal_id
}

# A custom role nobody holds yet is judged on its own.
resource "google_project_iam_custom_role" "key_maker" {
  role_id     = "keyMaker"
  title       = "Key maker"
  permissions = ["iam.serviceAccountKeys.create", "iam.serviceAccounts.get"] # expect: JEP403
}
