# A module called with for_each (and one with count), its instances iterated whole.
module "service" {
  source   = "./modules/service_role"
  for_each = toset(["billing", "search"])
  name     = "svc-${each.key}"
}

module "batch" {
  source = "./modules/service_role"
  count  = 2
  name   = "batch-${count.index}"
}

resource "aws_iam_role_policy_attachment" "admin" {
  for_each   = module.service
  role       = each.value.role_name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role_policy_attachment" "readers" {
  count      = length(module.batch)
  role       = module.batch[count.index].role_name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_policy" "logs" {
  name   = "logs"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "logs:PutLogEvents", Resource = "*" }] })
}

resource "aws_iam_policy_attachment" "logs" {
  name       = "logs"
  roles      = [for m in module.batch : m.role_name]
  policy_arn = aws_iam_policy.logs.arn
}
