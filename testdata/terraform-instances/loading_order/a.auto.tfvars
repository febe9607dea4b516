policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
