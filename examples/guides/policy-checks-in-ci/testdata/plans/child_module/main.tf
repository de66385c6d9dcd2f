# Fixture: the guide's configuration packaged as a module two levels down
# (module.audit.module.access_changes[0]), with nothing in the root module.
# The policy must find the data sources there.
variable "window_end" {
  type = string
}

module "audit" {
  source     = "./audit"
  window_end = var.window_end
}
