# Time-bound access whose end is still ahead.
resource "aws_iam_role" "migration" {
  name               = "data-migration"
  assume_role_policy = data.aws_iam_policy_document.ecs_trust.json
}

data "aws_iam_policy_document" "ecs_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "migration_window" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::legacy-exports/*"]
    condition {
      test     = "DateLessThan"
      variable = "aws:CurrentTime"
      values   = ["2099-01-01T00:00:00Z"]
    }
  }
}

resource "aws_iam_role_policy" "migration_window" {
  name   = "migration-window"
  role   = aws_iam_role.migration.id
  policy = data.aws_iam_policy_document.migration_window.json
}

resource "google_service_account" "importer" {
  account_id = "importer"
}

resource "google_project_iam_member" "importer_read" {
  project = "shop-prod"
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.importer.email}"
  condition {
    title      = "until-cutover"
    expression = "request.time < timestamp(\"2099-06-30T00:00:00Z\")"
  }
}
