# Federation trust pinned to one repository (or narrower): the twins of bad-federation.tf stay quiet.

resource "aws_iam_role" "env_pinned" {
  name = "env-pinned"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/shop:environment:prod"
        }
      }
    }]
  })
}

# One repository, any branch; and a repository calling a reusable workflow.
resource "aws_iam_role" "repo_any_branch" {
  name = "repo-any-branch"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = ["repo:acme/shop:*", "repo:acme/app:job_workflow_ref:*"] }
      }
    }]
  })
}

# The per-enterprise issuer with a repository pinned.
resource "aws_iam_role" "enterprise" {
  name = "enterprise"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com/acme:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com/acme:sub" = "repo:acme/shop:ref:refs/heads/main"
        }
      }
    }]
  })
}

resource "aws_iam_role" "gitlab" {
  name = "gitlab"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/gitlab.com" }
      Condition = { StringEquals = { "gitlab.com:sub" = "project_path:acme/shop:ref_type:branch:ref:main" } }
    }]
  })
}

resource "aws_iam_role" "tfc" {
  name = "tfc"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/app.terraform.io" }
      Condition = {
        StringEquals = { "app.terraform.io:aud" = "aws.workload.identity" }
        StringLike   = { "app.terraform.io:sub" = "organization:acme:project:platform:workspace:network:run_phase:*" }
      }
    }]
  })
}

resource "aws_iam_role" "eks" {
  name = "eks"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D" }
      Condition = { StringEquals = { "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D:sub" = "system:serviceaccount:prod:api" } }
    }]
  })
}

resource "aws_iam_role" "bitbucket" {
  name = "bitbucket"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc" }
      Condition = {
        StringLike = { "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc:sub" = "{7f3c1a52-0d4e-4b8a-9c1e-2f5d6a7b8c9d}:*" }
      }
    }]
  })
}

# A trust document no role uses, but pinned; and a permission document that is no trust at all.
data "aws_iam_policy_document" "pinned_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/shop:ref:refs/heads/main"]
    }
  }
}

data "aws_iam_policy_document" "read" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::reports/*"]
  }
}

# GCP: repository and branch; CEL `==` is exact, so 'acme/*' admits no repository at all; a list.
resource "google_iam_workload_identity_pool" "ci" {
  workload_identity_pool_id = "ci"
}

resource "google_iam_workload_identity_pool_provider" "branch" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.ci.workload_identity_pool_id
  workload_identity_pool_provider_id = "branch"
  attribute_condition                = "attribute.repository == 'acme/shop' && assertion.ref == 'refs/heads/main'"
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
  }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_iam_workload_identity_pool_provider" "exact" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.ci.workload_identity_pool_id
  workload_identity_pool_provider_id = "exact"
  attribute_condition                = "assertion.repository == 'acme/*'"
  attribute_mapping                  = { "google.subject" = "assertion.sub" }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_iam_workload_identity_pool_provider" "listed" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.ci.workload_identity_pool_id
  workload_identity_pool_provider_id = "listed"
  attribute_condition                = "assertion.repository in ['acme/shop', 'acme/app'] && assertion.repository_owner == 'acme'"
  attribute_mapping                  = { "google.subject" = "assertion.sub" }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

# Azure: the subject names the repository (Entra ID compares it exactly: `repo:acme/*` matches nothing).
resource "azurerm_user_assigned_identity" "deployer" {
  name                = "deployer"
  location            = "westeurope"
  resource_group_name = "ops"
}

resource "azurerm_federated_identity_credential" "env" {
  name                = "github-prod"
  resource_group_name = "ops"
  parent_id           = azurerm_user_assigned_identity.deployer.id
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:acme/shop:environment:prod"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azuread_application" "ci" {
  display_name = "ci"
}

resource "azuread_application_federated_identity_credential" "literal" {
  application_id = azuread_application.ci.id
  display_name   = "github-literal"
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = "repo:acme/*"
  audiences      = ["api://AzureADTokenExchange"]
}

# Pinned to one repository, on an identity with a narrow role.
resource "azurerm_role_assignment" "deployer_blob" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/web/providers/Microsoft.Storage/storageAccounts/site"
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.deployer.principal_id
}
