# Impersonation held at project scope by people and groups: every member can become every service
# account of the project. roles/container.admin reaches cluster-admin in every GKE cluster.
resource "google_service_account" "deployer" { # expect: JEP403
  account_id = "deployer"
}

resource "google_project_iam_member" "devs_token_creator" {
  project = "shop-prod"
  role    = "roles/iam.serviceAccountTokenCreator" # expect: JEP403
  member  = "group:devs@example.com"
}

resource "google_project_iam_member" "alice_sa_user" {
  project = "shop-prod"
  role    = "roles/iam.serviceAccountUser" # expect: JEP403
  member  = "user:alice@example.com"
}

resource "google_project_iam_member" "deployer_gke" {
  project = "shop-prod"
  role    = "roles/container.admin"
  member  = "serviceAccount:${google_service_account.deployer.email}"
}
