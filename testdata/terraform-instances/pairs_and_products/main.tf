# Role x policy pairs: a set of objects from nested for expressions, and setproduct with count.
locals {
  pipelines = ["ingest", "publish"]
  managed   = ["arn:aws:iam::aws:policy/AmazonSQSFullAccess", "arn:aws:iam::aws:policy/IAMFullAccess"]
  pairs = toset(flatten([
    for name in local.pipelines : [
      for arn in local.managed : { role = name, policy = arn }
    ]
  ]))
  combos = setproduct(local.pipelines, ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
}

resource "aws_iam_role" "pipeline" {
  for_each           = toset(local.pipelines)
  name               = "pipeline-${each.key}"
  assume_role_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"glue.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
}

resource "aws_iam_role_policy_attachment" "pairs" {
  for_each   = { for p in local.pairs : "${p.role}/${basename(p.policy)}" => p }
  role       = aws_iam_role.pipeline[each.value.role].name
  policy_arn = each.value.policy
}

resource "aws_iam_role_policy_attachment" "combos" {
  count      = length(local.combos)
  role       = aws_iam_role.pipeline[local.combos[count.index][0]].name
  policy_arn = local.combos[count.index][1]
}
