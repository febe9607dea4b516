# Federation trust that pins less than a repository. Each case has a narrow twin in good-federation.tf.

# GitHub: a subject without `repo:` names no repository; any repository whose OIDC subject template
# is customised to emit `environment:prod` can mint it.
resource "aws_iam_role" "env_only" {
  name = "env-only"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" } # expect: JEP404
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "environment:prod"
        }
      }
    }]
  })
}

# A reusable workflow reference alone: any repository that calls it.
resource "aws_iam_role" "workflow_only" {
  name = "workflow-only"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" } # expect: JEP404
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "job_workflow_ref:acme/pipelines/.github/workflows/deploy.yml@*" }
      }
    }]
  })
}

# `repo:acme*` is a prefix of owners too: it admits repo:acme-evil/anything.
resource "aws_iam_role" "prefix" {
  name = "prefix"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" } # expect: JEP404
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:acme*" }
      }
    }]
  })
}

# The per-enterprise issuer pins the enterprise, no more: every repository of it.
resource "aws_iam_role" "enterprise" {
  name = "enterprise"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme" } # expect: JEP404
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com/acme:aud" = "sts.amazonaws.com" }
      }
    }]
  })
}

# GitLab: every project of a group, and (gitlab.com without a subject) every project on GitLab.
resource "aws_iam_role" "gitlab" {
  name = "gitlab"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/gitlab.com" } # expect: JEP404
        Condition = { StringLike = { "gitlab.com:sub" = "project_path:acme/*" } }
      },
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/gitlab.com" } # expect: JEP404
        Condition = { StringEquals = { "gitlab.com:aud" = "https://gitlab.com" } }
      },
    ]
  })
}

# Terraform Cloud: every workspace of the organization.
resource "aws_iam_role" "tfc" {
  name = "tfc"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/app.terraform.io" } # expect: JEP404
      Condition = {
        StringEquals = { "app.terraform.io:aud" = "aws.workload.identity" }
        StringLike   = { "app.terraform.io:sub" = "organization:acme:*" }
      }
    }]
  })
}

# EKS: every ServiceAccount of the cluster, and every ServiceAccount of one namespace.
resource "aws_iam_role" "eks" {
  name = "eks"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D" } # expect: JEP404
        Condition = { StringEquals = { "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D:aud" = "sts.amazonaws.com" } }
      },
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D" } # expect: JEP404
        Condition = { StringLike = { "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D:sub" = "system:serviceaccount:prod:*" } }
      },
    ]
  })
}

# Bitbucket: the issuer pins the workspace; without a subject, every repository of it.
resource "aws_iam_role" "bitbucket" {
  name = "bitbucket"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc" } # expect: JEP404
    }]
  })
}

# A trust document that no role in this scan uses: checked all the same.
data "aws_iam_policy_document" "loose_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"] # expect: JEP404
    }
  }
}

# GCP: a condition that is always true, one on the owner only, and a prefix without the slash.
resource "google_iam_workload_identity_pool" "ci" {
  workload_identity_pool_id = "ci"
}

resource "google_iam_workload_identity_pool_provider" "always" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.ci.workload_identity_pool_id
  workload_identity_pool_provider_id = "always"
  attribute_condition                = "true" # expect: JEP404
  attribute_mapping                  = { "google.subject" = "assertion.sub" }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_iam_workload_identity_pool_provider" "owner" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.ci.workload_identity_pool_id
  workload_identity_pool_provider_id = "owner"
  attribute_condition                = "assertion.repository_owner == 'acme'" # expect: JEP404
  attribute_mapping                  = { "google.subject" = "assertion.sub" }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_iam_workload_identity_pool_provider" "prefix" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.ci.workload_identity_pool_id
  workload_identity_pool_provider_id = "prefix"
  attribute_condition                = "attribute.repository.startsWith('acme') || attribute.repository == 'acme/app'" # expect: JEP404
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
  }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

# Azure: a subject that names no repository, and one that names only the owner.
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
  subject             = "environment:prod" # expect: JEP404
  audience            = ["api://AzureADTokenExchange"]
}

resource "azuread_application" "ci" {
  display_name = "ci"
}

resource "azuread_application_federated_identity_credential" "owner" {
  application_id = azuread_application.ci.id
  display_name   = "github-owner"
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = "repository_owner:acme:environment:prod" # expect: JEP404
  audiences      = ["api://AzureADTokenExchange"]
}

# Pinned to one repository, but the identity is Owner of the subscription: that repository's
# workflows (anyone who can push to it) hold Owner.
resource "azurerm_user_assigned_identity" "release" {
  name                = "release"
  location            = "westeurope"
  resource_group_name = "ops"
}

resource "azurerm_role_assignment" "release_owner" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Owner" # expect: JEP106
  principal_id         = azurerm_user_assigned_identity.release.principal_id
}

resource "azurerm_federated_identity_credential" "release" {
  name                = "github-release"
  resource_group_name = "ops"
  parent_id           = azurerm_user_assigned_identity.release.id
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:acme/shop:environment:release" # expect: JEP404
  audience            = ["api://AzureADTokenExchange"]
}
