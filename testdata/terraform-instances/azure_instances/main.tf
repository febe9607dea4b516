# Identities, system-assigned identities and role definitions with for_each, assigned by index.
data "azurerm_subscription" "current" {}

locals {
  apps = {
    api    = { roles = ["Reader"] }
    worker = { roles = ["Contributor", "Storage Blob Data Owner"] }
  }
  assignments = flatten([for app, cfg in local.apps : [for role in cfg.roles : { app = app, role = role }]])
}

resource "azurerm_user_assigned_identity" "app" {
  for_each            = local.apps
  name                = "id-${each.key}"
  resource_group_name = "rg"
  location            = "westeurope"
}

resource "azurerm_role_assignment" "app" {
  for_each             = { for a in local.assignments : "${a.app}-${a.role}" => a }
  scope                = data.azurerm_subscription.current.id
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.app[each.value.app].principal_id
}

resource "azurerm_linux_web_app" "web" {
  for_each            = toset(["blue", "green"])
  name                = "web-${each.key}"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "x"
  identity {
    type = "SystemAssigned"
  }
  site_config {}
}

resource "azurerm_role_assignment" "web" {
  for_each             = azurerm_linux_web_app.web
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner"
  principal_id         = each.value.identity[0].principal_id
}

resource "azurerm_role_definition" "custom" {
  for_each = toset(["ops"])
  name     = "custom-${each.key}"
  scope    = data.azurerm_subscription.current.id
  permissions {
    actions = ["Microsoft.Authorization/roleAssignments/write"]
  }
}

resource "azurerm_role_assignment" "custom" {
  for_each           = azurerm_role_definition.custom
  scope              = data.azurerm_subscription.current.id
  role_definition_id = each.value.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.app["api"].principal_id
}

resource "azurerm_role_assignment" "unknown_role" {
  scope              = data.azurerm_subscription.current.id
  role_definition_id = var.role_id
  principal_id       = azurerm_user_assigned_identity.app["api"].principal_id
}

variable "role_id" {}
