resource "google_service_account" "ci" {
  account_id   = "ci-deployer"
  display_name = "CI deployer"
}

resource "google_project_iam_member" "ci_editor" {
  project = "shop-prod"
  role    = "roles/editor" # expect: JEP106
  member  = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_project_iam_custom_role" "reader" {
  role_id     = "bucketReader"
  title       = "Bucket reader"
  permissions = ["storage.objects.get", "storage.objects.list"]
}

resource "google_project_iam_binding" "readers" {
  project = "shop-prod"
  role    = google_project_iam_custom_role.reader.id
  members = ["serviceAccount:ci-deployer@shop-prod.iam.gserviceaccount.com"]
}

data "google_iam_policy" "admins" {
  binding {
    role    = "roles/owner" # expect: JEP106
    members = ["serviceAccount:${google_service_account.ci.email}"]
  }
}

resource "google_folder_iam_policy" "folder" {
  folder      = "folders/1234"
  policy_data = data.google_iam_policy.admins.policy_data
}

resource "google_compute_instance" "runner" {
  name         = "ci-runner"
  machine_type = "e2-small"
  zone         = "europe-west1-b"
  service_account {
    email  = google_service_account.ci.email
    scopes = ["cloud-platform"]
  }
}
