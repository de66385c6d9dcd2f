# Policy checks in CI: flag access changes of the last 24 hours in every plan,
# and let a policy engine judge the saved plan (policy/access_changes.rego).
terraform {
  required_version = ">= 1.5.0" # check blocks, plantimestamp()

  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

variable "window_end" {
  type        = string
  default     = null
  description = "End of the 24-hour window (exclusive), RFC 3339, to judge a past day again. Unset (the default): the time the plan started."

  validation {
    condition     = var.window_end == null || can(timeadd(var.window_end, "0s"))
    error_message = "window_end must be an RFC 3339 time such as 2026-06-01T12:00:00Z."
  }
}

locals {
  now   = coalesce(var.window_end, plantimestamp())
  since = timeadd(local.now, "-24h")
}

data "workiva_activities" "role_changes" {
  since          = local.since
  before         = local.now
  action_aliases = ["org_user_role_create", "org_user_role_delete"]
}

data "workiva_activities" "new_memberships" {
  since          = local.since
  before         = local.now
  action_aliases = ["workspace_membership_create"]
}

# A check block reports a warning and lets the plan go on: the changes show
# in every plan log, and the plan is saved for the policy engine to judge.
check "new_workspace_memberships" {
  assert {
    condition     = length(data.workiva_activities.new_memberships.ids) == 0
    error_message = "${length(data.workiva_activities.new_memberships.ids)} workspace membership(s) created since ${local.since}: review them in Workiva."
  }
}

check "organization_role_changes" {
  assert {
    condition     = length(data.workiva_activities.role_changes.ids) == 0
    error_message = "${length(data.workiva_activities.role_changes.ids)} organization role change(s) since ${local.since}: review them in Workiva."
  }
}

variable "max_role_changes" {
  type        = number
  default     = null
  description = "Organization role changes tolerated in the window before the plan itself fails. Unset (the default): the plan never fails on them, and the policy engine judges the saved plan."
}

output "role_changes" {
  value = [
    for a in data.workiva_activities.role_changes.activities :
    "${a.activity_date_time} ${a.performer.unique_name}: ${a.summary}"
  ]

  # With max_role_changes set, a precondition fails the plan itself: for
  # pipelines without a policy engine.
  precondition {
    condition     = var.max_role_changes == null ? true : length(data.workiva_activities.role_changes.ids) <= var.max_role_changes
    error_message = "Organization role changes since ${local.since}: ${length(data.workiva_activities.role_changes.ids)} (at most ${coalesce(var.max_role_changes, 0)} allowed). Review them before applying."
  }
}
