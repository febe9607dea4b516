# The VPC CNI plugin's permissions (AmazonEKS_CNI_Policy written inline) on a node role: inherent to
# the node, a note. The same network-interface writes on a role that is not a node's, or mixed with
# other writes on a node role, are reported as usual.

resource "aws_iam_role" "node" {
  name               = "eks-node"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "cni" {
  role = aws_iam_role.node.id
  policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Action = [
        "ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface", "ec2:DescribeInstances", "ec2:DescribeTags", "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeInstanceTypes", "ec2:DescribeSubnets", "ec2:DetachNetworkInterface",
        "ec2:ModifyNetworkInterfaceAttribute", "ec2:UnassignPrivateIpAddresses",
      ]
      Resource = "*" # expect: JEP105
    }]
  })
}

resource "aws_iam_role_policy" "node_more" {
  role = aws_iam_role.node.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["ec2:AttachNetworkInterface", "ec2:TerminateInstances"]
      Resource = "*" # expect: JEP105
    }]
  })
}

resource "aws_iam_role" "api" {
  name               = "api"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "api" {
  role = aws_iam_role.api.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"]
      Resource = "*" # expect: JEP105
    }]
  })
}
