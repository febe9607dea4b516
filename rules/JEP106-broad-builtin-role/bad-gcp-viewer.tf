# roles/viewer on a service account reads nearly everything of the project (a note); a member
# written without its type prefix is named once.
resource "google_service_account" "reporting" {
  account_id = "reporting"
}

resource "google_project_iam_member" "reporting_viewer" {
  project = "shop-prod"
  role    = "roles/viewer" # expect: JEP106
  member  = "serviceAccount:${google_service_account.reporting.email}"
}

resource "google_project_iam_member" "untyped_owner" {
  project = "shop-prod"
  role    = "roles/owner" # expect: JEP106
  member  = "alice@example.com"
}
