resource "google_service_account" "ci" {
  account_id = "ci"
}

resource "google_project_iam_member" "ci_owner" {
  project = "my-project"
  role    = "roles/owner"
  member  = "serviceAccount:${google_service_account.ci.email}"
}
