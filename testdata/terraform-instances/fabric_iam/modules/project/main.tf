variable "project_id" {
  type = string
}

variable "iam" {
  type    = map(list(string))
  default = {}
}

resource "google_project_iam_binding" "authoritative" {
  for_each = var.iam
  project  = var.project_id
  role     = each.key
  members  = each.value
}
