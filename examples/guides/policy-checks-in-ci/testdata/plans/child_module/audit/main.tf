variable "window_end" {
  type = string
}

module "access_changes" {
  source     = "../../../.." # the guide's main.tf
  count      = 1
  window_end = var.window_end
}
