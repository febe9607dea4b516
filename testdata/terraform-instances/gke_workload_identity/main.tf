# GKE workload identity: a Kubernetes ServiceAccount allowed to act as one Google service account.
resource "google_service_account" "web" {
  account_id = "web-app"
  project    = "acme-prod"
}

resource "google_service_account_iam_member" "web_wi" {
  service_account_id = google_service_account.web.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:acme-prod.svc.id.goog[web/frontend]"
}

resource "google_project_iam_member" "web" {
  project = "acme-prod"
  role    = "roles/storage.objectViewer"
  member  = google_service_account.web.member
}

# The same role at project scope: the pod can become every service account of the project.
resource "google_project_iam_member" "batch_wi" {
  project = "acme-prod"
  role    = "roles/iam.workloadIdentityUser"
  member  = "serviceAccount:acme-prod.svc.id.goog[batch/runner]"
}
