resource "aws_iam_role" "ops" {
  name               = "ops"
  assume_role_policy = "{}"
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_eks_access_entry" "ops" {
  cluster_name  = "prod"
  principal_arn = aws_iam_role.ops.arn
}

resource "aws_eks_access_policy_association" "ops" {
  cluster_name  = "prod"
  principal_arn = aws_iam_role.ops.arn
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

resource "aws_eks_access_policy_association" "app_view" {
  cluster_name  = "prod"
  principal_arn = aws_iam_role.app.arn
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"

  access_scope {
    type       = "namespace"
    namespaces = ["shop"]
  }
}

resource "aws_eks_pod_identity_association" "app" {
  cluster_name    = "prod"
  namespace       = "shop"
  service_account = "api"
  role_arn        = aws_iam_role.app.arn
}

resource "aws_iam_role_policy_attachments_exclusive" "app" {
  role_name   = aws_iam_role.app.name
  policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
