# One user with neither key nor password (count = 0: nothing to report), one with the defaults.
module "reader" {
  source               = "../modules/user"
  name                 = "reader"
  create_access_key    = false
  create_login_profile = false
}

module "uploader" {
  source = "../modules/user"
  name   = "uploader"
}
