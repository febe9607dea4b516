resource "aws_ssoadmin_permission_set" "developer" {
  name         = "developer"
  instance_arn = var.instance_arn
}

resource "aws_ssoadmin_customer_managed_policy_attachment" "developer" {
  instance_arn       = var.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.developer.arn
  customer_managed_policy_reference {
    name = "developer_policy"
    path = "/"
  }
}

resource "aws_ssoadmin_customer_managed_policy_attachment" "elsewhere" {
  instance_arn       = var.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.developer.arn
  customer_managed_policy_reference {
    name = "not_in_this_scan"
  }
}

variable "instance_arn" {
  type = string
}
