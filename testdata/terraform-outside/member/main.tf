locals {
  ci_documents = [data.aws_iam_policy_document.ci.json]
}

data "aws_iam_policy_document" "ci" {
  statement {
    actions   = ["lambda:*"]
    resources = ["*"]
  }
}

module "ci_role" {
  source       = "github.com/example/terraform-github-oidc-role?ref=v1.0.0"
  role_name    = "ci"
  policy_jsons = local.ci_documents
}

resource "aws_iam_policy" "scheduler" {
  name = "SchedulerActions"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "ec2:*", Resource = "*" }]
  })
}

module "scheduler_access" {
  source      = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  create_role = true
  role_name   = "scheduler"
  policy_arn  = aws_iam_policy.scheduler.arn
}

resource "aws_iam_policy" "guard" {
  name = "GuardActions"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}

module "guard_role" {
  source    = "github.com/example/terraform-aws-role?ref=v2.0.0"
  role_name = "guard"
}

resource "aws_iam_role_policy_attachment" "guard" {
  role       = module.guard_role.name
  policy_arn = aws_iam_policy.guard.arn
}

data "aws_iam_policy" "upload" {
  name = "upload_policy"
}

module "upload_role" {
  source     = "github.com/example/cross-account-access?ref=v4.0.0"
  role_name  = "upload"
  policy_arn = data.aws_iam_policy.upload.arn
}

resource "aws_iam_role" "reader" {
  name               = "reader"
  assume_role_policy = "{}"
}

data "aws_iam_policy" "shared" {
  name = "shared_policy"
}

resource "aws_iam_role_policy_attachment" "reader" {
  role       = aws_iam_role.reader.name
  policy_arn = data.aws_iam_policy.shared.arn
}
