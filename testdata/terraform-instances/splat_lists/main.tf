# Lists of identities written with splat expressions.
resource "aws_iam_user" "bots" {
  count = 2
  name  = "bot-${count.index}"
}

resource "aws_iam_user" "svc" {
  for_each = toset(["alpha", "beta"])
  name     = "svc-${each.key}"
}

resource "aws_iam_group" "admins" {
  name = "admins"
}

resource "aws_iam_group_policy_attachment" "admins" {
  group      = aws_iam_group.admins.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_group_membership" "bots" {
  name  = "bots"
  group = aws_iam_group.admins.name
  users = aws_iam_user.bots[*].name
}

resource "aws_iam_group_membership" "svc" {
  name  = "svc"
  group = aws_iam_group.admins.name
  users = values(aws_iam_user.svc)[*].name
}

resource "aws_iam_role" "worker" {
  count              = 2
  name               = "worker-${count.index}"
  assume_role_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
}

resource "aws_iam_policy_attachment" "workers" {
  name       = "workers"
  roles      = aws_iam_role.worker.*.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSQSFullAccess"
}

resource "aws_iam_role_policy_attachment" "each_worker" {
  count      = length(aws_iam_role.worker)
  role       = element(aws_iam_role.worker[*].name, count.index)
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
