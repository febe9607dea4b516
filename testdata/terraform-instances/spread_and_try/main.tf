# Roles with optional policy lists: merge([...]...) of per-role maps, try() of a missing attribute.
variable "roles" {
  default = {
    analyst = { policy_arns = ["arn:aws:iam::aws:policy/AmazonAthenaFullAccess"] }
    janitor = {}
    admin   = { policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"], boundary = "arn:aws:iam::123456789012:policy/boundary" }
  }
}

resource "aws_iam_role" "this" {
  for_each             = var.roles
  name                 = each.key
  permissions_boundary = try(each.value.boundary, null)
  assume_role_policy   = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
}

locals {
  attachments = merge([
    for role, cfg in var.roles : {
      for arn in try(cfg.policy_arns, []) : "${role}/${basename(arn)}" => { role = role, arn = arn }
    }
  ]...)
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each   = local.attachments
  role       = aws_iam_role.this[each.value.role].name
  policy_arn = each.value.arn
}
