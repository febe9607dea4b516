module "policy" {
  source = "./modules/policy"
}

output "policy_arn" {
  value = module.policy.arn
}
