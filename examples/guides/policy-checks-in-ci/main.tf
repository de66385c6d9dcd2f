# Policy checks in CI: flag, then block, access changes in the last 24 hours.
locals {
  now   = plantimestamp()
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

# A check block reports a warning and lets the plan go on: use it to make
# changes visible in every plan, and in `terraform show -json` for a policy
# engine to judge.
check "new_workspace_memberships" {
  assert {
    condition     = length(data.workiva_activities.new_memberships.ids) == 0
    error_message = "${length(data.workiva_activities.new_memberships.ids)} workspace membership(s) created since ${local.since}: review them in Workiva."
  }
}

variable "max_role_changes" {
  type        = number
  default     = 0
  description = "Organization role changes tolerated in the window before the plan fails."
}

# A precondition fails the plan (and so the CI job) when it does not hold.
output "role_changes" {
  value = [
    for a in data.workiva_activities.role_changes.activities :
    "${a.activity_date_time} ${a.performer.unique_name}: ${a.summary}"
  ]

  precondition {
    condition     = length(data.workiva_activities.role_changes.ids) <= var.max_role_changes
    error_message = "Organization role changes in the last 24 hours: ${length(data.workiva_activities.role_changes.ids)} (at most ${var.max_role_changes} allowed). Review them before applying."
  }
}
