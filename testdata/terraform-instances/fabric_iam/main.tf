module "project" {
  source     = "./modules/project"
  project_id = "my-project"
  iam = {
    "roles/owner"  = ["user:alice@example.com"]
    "roles/viewer" = ["group:staff@example.com"]
  }
}
