# Access that ended long ago but is still declared.
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

resource "aws_iam_role_policy" "migration_window" {
  name = "migration-window"
  role = aws_iam_role.migration.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["s3:GetObject"]
      Resource  = "arn:aws:s3:::legacy-exports/*"
      Condition = { DateLessThan = { "aws:CurrentTime" = "2024-03-31T23:59:59Z" } } # expect: JEP205
    }]
  })
}

resource "google_service_account" "importer" {
  account_id = "importer"
}

resource "google_project_iam_member" "importer_read" {
  project = "shop-prod"
  role    = "roles/storage.objectViewer" # expect: JEP205
  member  = "serviceAccount:${google_service_account.importer.email}"
  condition {
    title      = "until-cutover"
    expression = "request.time < timestamp(\"2023-06-30T00:00:00Z\")"
  }
}

resource "azuread_service_principal" "release" {
  client_id = "11111111-1111-1111-1111-111111111111"
}

resource "azurerm_pim_active_role_assignment" "release_contributor" {
  scope              = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
  principal_id       = azuread_service_principal.release.object_id
  justification      = "cutover"
  schedule {
    start_date_time = "2024-01-01T00:00:00Z"
    expiration {
      end_date_time = "2024-01-15T00:00:00Z" # expect: JEP205
    }
  }
}

resource "azuread_application" "importer" {
  display_name = "importer"
}

resource "azuread_application_password" "cutover" {
  application_id = azuread_application.importer.id
  end_date       = "2024-02-01T00:00:00Z" # expect: JEP205
}
