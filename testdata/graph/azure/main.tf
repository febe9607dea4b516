resource "azurerm_user_assigned_identity" "deployer" {
  name                = "deployer"
  resource_group_name = "rg-apps"
  location            = "westeurope"
}

resource "azurerm_role_definition" "everything" {
  name  = "everything"
  scope = "/subscriptions/00000000-0000-0000-0000-000000000000"
  permissions {
    actions     = ["*"] # expect: JEP101
    not_actions = []
  }
  assignable_scopes = ["/subscriptions/00000000-0000-0000-0000-000000000000"]
}

resource "azurerm_role_assignment" "deployer_everything" {
  scope              = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_id = azurerm_role_definition.everything.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.deployer.principal_id
}

resource "azurerm_linux_web_app" "api" {
  name                = "api"
  resource_group_name = "rg-apps"
  location            = "westeurope"
  service_plan_id     = "plan"
  identity {
    type = "SystemAssigned"
  }
  site_config {}
}

resource "azurerm_role_assignment" "api_owner" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-apps"
  role_definition_name = "Owner" # expect: JEP106
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}

resource "azurerm_role_assignment" "api_reader" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-apps"
  role_definition_name = "Reader"
  principal_id         = azurerm_linux_web_app.api.identity[0].principal_id
}
