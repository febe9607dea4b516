# A person with roles/viewer (JEP1xx-4xx are about workloads), and a service account that reads the
# one dataset role it needs.
resource "google_service_account" "reporting" {
  account_id = "reporting"
}

resource "google_project_iam_member" "carol_viewer" {
  project = "shop-prod"
  role    = "roles/viewer"
  member  = "user:carol@example.com"
}

resource "google_project_iam_member" "reporting_reader" {
  project = "shop-prod"
  role    = "roles/bigquery.dataViewer"
  member  = "serviceAccount:${google_service_account.reporting.email}"
}
