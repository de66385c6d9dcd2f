# Workspace membership changes in the organization over the last 7 days,
# newest first. The organization defaults to the provider's organization_id.
terraform {
  required_version = ">= 1.5.0" # plantimestamp()

  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

locals {
  now = plantimestamp()
}

data "workiva_activities" "memberships" {
  since  = timeadd(local.now, "-168h")
  before = local.now
  action_aliases = [
    "workspace_membership_create",
    "workspace_membership_delete",
  ]
}

output "membership_changes" {
  value = [
    for a in data.workiva_activities.memberships.activities :
    "${a.activity_date_time} ${a.performer.unique_name}: ${a.summary}"
  ]
}
