# terraform.tfvars overrides the variable default: this is what gets deployed.
deploy_actions = ["lambda:*"] # expect: JEP102
