# Short-lived, rotated or secret-free alternatives.
resource "azuread_application" "deployer" {
  display_name = "deployer"
}

# GitHub Actions signs in with its OIDC token: no secret at all.
resource "azuread_application_federated_identity_credential" "github" {
  application_id = azuread_application.deployer.id
  display_name   = "github-main"
  audiences      = ["api://AzureADTokenExchange"]
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = "repo:example/shop:ref:refs/heads/main"
}

resource "azuread_application_password" "short" {
  application_id    = azuread_application.deployer.id
  end_date_relative = "720h"
}

resource "time_rotating" "monthly" {
  rotation_days = 30
}

resource "azuread_application_password" "rotated" {
  application_id = azuread_application.deployer.id
  rotate_when_changed = {
    rotation = time_rotating.monthly.id
  }
}

resource "azuread_application_password" "until_rotation" {
  application_id = azuread_application.deployer.id
  end_date       = time_rotating.monthly.rotation_rfc3339
}

resource "azurerm_key_vault_secret" "db" {
  name            = "db-password"
  value           = random_password.db.result
  key_vault_id    = azurerm_key_vault.main.id
  expiration_date = timeadd(timestamp(), "1440h")
}

resource "vault_token" "ci" {
  policies         = ["ci"]
  ttl              = "15m"
  explicit_max_ttl = "1h"
}

resource "vault_token" "one_shot" {
  policies  = ["reports"]
  ttl       = "30m"
  renewable = false
}

resource "vault_approle_auth_backend_role" "app" {
  role_name          = "app"
  token_policies     = ["app"]
  secret_id_ttl      = 3600
  secret_id_num_uses = 1
  token_ttl          = 900
  token_max_ttl      = 3600
}

resource "kubernetes_token_request_v1" "ci" {
  metadata {
    name      = "runner"
    namespace = "ci"
  }
  spec {
    audiences = ["vault"]
  }
}
