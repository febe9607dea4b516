policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
role_name  = "from-tfvars"
