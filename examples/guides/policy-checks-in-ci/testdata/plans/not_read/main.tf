# Fixture: the guide's configuration read once over a window without
# findings, and declared a second time with count = 0: the policy warns that
# module.spare's data sources are not read.
variable "window_end" {
  type = string
}

module "access_changes" {
  source     = "../../.." # the guide's main.tf
  window_end = var.window_end
}

module "spare" {
  source     = "../../.."
  count      = 0
  window_end = var.window_end
}
