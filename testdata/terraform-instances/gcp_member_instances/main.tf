# Service accounts and custom roles with for_each, bound by an index computed from each.value.
locals {
  sa_roles = {
    deployer = ["roles/run.admin", "roles/owner"]
    reader   = ["roles/viewer"]
  }
  pairs = flatten([for sa, roles in local.sa_roles : [for role in roles : { sa = sa, role = role }]])
  custom = {
    releaser = ["iam.serviceAccounts.actAs", "run.services.update"]
  }
}

resource "google_service_account" "sa" {
  for_each   = local.sa_roles
  account_id = each.key
}

resource "google_project_iam_member" "pairs" {
  for_each = { for p in local.pairs : "${p.sa}-${p.role}" => p }
  project  = "acme-prod"
  role     = each.value.role
  member   = "serviceAccount:${google_service_account.sa[each.value.sa].email}"
}

resource "google_project_iam_custom_role" "custom" {
  for_each    = local.custom
  project     = "acme-prod"
  role_id     = "custom_${each.key}"
  title       = each.key
  permissions = each.value
}

resource "google_project_iam_member" "custom" {
  for_each = local.custom
  project  = "acme-prod"
  role     = google_project_iam_custom_role.custom[each.key].id
  member   = google_service_account.sa["reader"].member
}

resource "google_project_iam_member" "unknown_role" {
  project = "acme-prod"
  role    = var.extra_role
  member  = "serviceAccount:${google_service_account.sa["reader"].email}"
}

resource "google_project_iam_member" "unknown_member" {
  project = "acme-prod"
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.sa[var.which].email}"
}

variable "extra_role" {}
variable "which" {}
