# Impersonation of one service account only, and GKE roles that cannot reach cluster-admin.
resource "google_service_account" "deployer" {
  account_id = "deployer"
}

resource "google_service_account_iam_member" "bob_token_creator" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "user:bob@example.com"
}

resource "google_project_iam_member" "devs_gke_viewer" {
  project = "shop-prod"
  role    = "roles/container.viewer"
  member  = "group:devs@example.com"
}

resource "google_project_iam_member" "deployer_cluster_viewer" {
  project = "shop-prod"
  role    = "roles/container.clusterViewer"
  member  = "serviceAccount:${google_service_account.deployer.email}"
}
