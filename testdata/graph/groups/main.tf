# Users hold their groups' policies.
resource "aws_iam_group" "ops" {
  name = "ops"
}

resource "aws_iam_user" "robot" {
  name = "ops-robot"
}

resource "aws_iam_user_group_membership" "robot" {
  user   = aws_iam_user.robot.name
  groups = [aws_iam_group.ops.name] # expect: JEP106
}

resource "aws_iam_group_policy_attachment" "ops_admin" {
  group      = aws_iam_group.ops.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess" # expect: JEP106
}
