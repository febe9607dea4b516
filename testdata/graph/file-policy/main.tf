resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = "{}"
}

resource "aws_iam_policy" "ci" {
  name   = "ci"
  policy = file("${path.module}/policies/ci.json")
}

resource "aws_iam_role_policy_attachment" "ci" {
  role       = aws_iam_role.ci.name
  policy_arn = aws_iam_policy.ci.arn
}

resource "aws_iam_policy" "escape" {
  name   = "escape"
  policy = file("../../../../etc/passwd")
}
