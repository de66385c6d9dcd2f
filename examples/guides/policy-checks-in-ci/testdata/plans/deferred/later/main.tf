terraform {
  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

variable "since" {
  type = string
}

data "workiva_activities" "role_changes" {
  since          = var.since
  before         = "2026-06-01T12:00:00Z"
  action_aliases = ["org_user_role_create", "org_user_role_delete"]
}
