# Secrets and tokens that live far longer than the workloads need.
resource "azuread_application" "deployer" {
  display_name = "deployer"
}

resource "azuread_service_principal" "deployer" {
  client_id = azuread_application.deployer.client_id
}

resource "azuread_application_password" "default" { # expect: JEP202
  application_id = azuread_application.deployer.id
}

resource "azuread_application_password" "relative" {
  application_id    = azuread_application.deployer.id
  end_date_relative = "8760h" # expect: JEP202
}

resource "azuread_application_password" "timeadd" {
  application_id = azuread_application.deployer.id
  end_date       = timeadd(timestamp(), "4380h") # expect: JEP202
}

resource "time_offset" "next_year" {
  offset_years = 1
}

resource "azuread_service_principal_password" "offset" {
  service_principal_id = azuread_service_principal.deployer.id
  end_date             = time_offset.next_year.rfc3339 # expect: JEP202
}

resource "azuread_application_certificate" "signing" {
  application_id = azuread_application.deployer.id
  type           = "AsymmetricX509Cert"
  value          = file("cert.pem")
  start_date     = "2026-01-01T00:00:00Z"
  end_date       = "2099-01-01T00:00:00Z" # expect: JEP202
}

resource "azurerm_key_vault_secret" "db" { # expect: JEP202
  name         = "db-password"
  value        = random_password.db.result
  key_vault_id = azurerm_key_vault.main.id
}

resource "vault_token" "ci" {
  policies = ["ci"]
  period   = "24h" # expect: JEP202
}

resource "vault_token" "reporting" { # expect: JEP202
  policies = ["reports"]
}

resource "vault_approle_auth_backend_role" "app" { # expect: JEP202
  role_name      = "app"
  token_policies = ["app"] # expect: JEP202
}

resource "kubernetes_token_request_v1" "ci" {
  metadata {
    name      = "runner"
    namespace = "ci"
  }
  spec {
    audiences          = ["vault"]
    expiration_seconds = 86400 # expect: JEP202
  }
}

resource "kubernetes_deployment_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
  }
  spec {
    selector {
      match_labels = { app = "api" }
    }
    template {
      metadata {
        labels = { app = "api" }
      }
      spec {
        service_account_name = "api"
        container {
          name  = "api"
          image = "registry.example.com/api:1.4"
        }
        volume {
          name = "token"
          projected {
            sources {
              service_account_token {
                audience           = "payments"
                expiration_seconds = 7200 # expect: JEP202
                path               = "token"
              }
            }
          }
        }
      }
    }
  }
}
