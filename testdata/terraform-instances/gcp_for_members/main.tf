# Members listed by a for expression over the instances of a service account resource.
resource "google_service_account" "runner" {
  for_each   = toset(["build", "deploy"])
  account_id = "runner-${each.key}"
}

resource "google_project_iam_binding" "writers" {
  project = "acme-ci"
  role    = "roles/storage.objectAdmin"
  members = [for sa in google_service_account.runner : "serviceAccount:${sa.email}"]
}

resource "google_project_iam_binding" "editors" {
  project = "acme-ci"
  role    = "roles/editor"
  members = [for name in keys(google_service_account.runner) : google_service_account.runner[name].member]
}
