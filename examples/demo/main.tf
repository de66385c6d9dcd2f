# The `make demo` configuration: what happened in the organization in the last
# 24 hours. `make demo` runs it against a local emulator; against Workiva, set
# WORKIVA_CLIENT_ID, WORKIVA_CLIENT_SECRET and WORKIVA_ORGANIZATION_ID and run
# `terraform init && terraform apply`.
terraform {
  required_version = ">= 1.5.0" # plantimestamp()

  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

provider "workiva" {}

locals {
  # plantimestamp() is fixed for a whole plan, so every query below sees the
  # same window.
  before = plantimestamp()
  since  = timeadd(local.before, "-24h")
}

data "workiva_activities" "role_changes" {
  since          = local.since
  before         = local.before
  action_aliases = ["org_user_role_create", "org_user_role_delete"]
}

data "workiva_activities" "logins" {
  since          = local.since
  before         = local.before
  action_aliases = ["user_login"]
}

data "workiva_activity_actions" "all" {}

output "window" {
  value = "${local.since} .. ${local.before}"
}

output "role_changes_last_24h" {
  description = "Organization role assignments and removals, newest first."
  value = [
    for a in data.workiva_activities.role_changes.activities :
    "${a.activity_date_time}  ${a.performer.unique_name}: ${a.summary}"
  ]
}

output "logins_per_user" {
  description = "Successful logins in the window, per user."
  value = {
    for user, ids in {
      for a in data.workiva_activities.logins.activities :
      coalesce(a.performer.unique_name, a.performer.id) => a.id...
    } : user => length(ids)
  }
}

output "action_catalogue_size" {
  description = "Number of actions Workiva can record (deprecated ones included)."
  value       = length(data.workiva_activity_actions.all.ids)
}
