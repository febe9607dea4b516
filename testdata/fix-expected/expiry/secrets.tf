resource "azuread_application" "app" {
  display_name = "app"
}

resource "azuread_application_password" "app" {
  application_id = azuread_application.app.id
  display_name   = "ci"
  end_date       = "2027-03-01T00:00:00Z"
}

resource "azurerm_key_vault_secret" "db" {
  name         = "db-password"
  value        = "not-a-real-secret"
  key_vault_id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
  expiration_date = "2027-03-01T00:00:00Z"
}
