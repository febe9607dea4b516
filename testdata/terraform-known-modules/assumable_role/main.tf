locals {
  account = jsondecode(file("${path.module}/account.json"))
}

module "scanner_role" {
  count  = local.account.type == "member" ? 1 : 0
  source = "github.com/terraform-aws-modules/terraform-aws-iam//modules/iam-assumable-role?ref=v5.48.0"

  trusted_role_services = ["malware-protection-plan.guardduty.amazonaws.com"]
  create_role           = true
  role_name             = "ScannerRole"
  role_requires_mfa     = false
  max_session_duration  = 43200

  custom_role_policy_arns = [
    aws_iam_policy.scan.arn,
    "arn:aws:iam::aws:policy/AdministratorAccess",
  ]
}

resource "aws_iam_role_policy_attachment" "extra" {
  count      = local.account.type == "member" ? 1 : 0
  role       = module.scanner_role[0].iam_role_name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_policy" "scan" {
  name   = "scan"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
