# Fixture: reads that hold less than every activity: counts only
# (summary_only) and a read stopped by max_results. The policy must block
# on both, as it cannot review what it does not see.
terraform {
  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

data "workiva_activities" "counts_only" {
  since          = "2026-05-25T12:00:00Z"
  before         = "2026-06-01T12:00:00Z"
  action_aliases = ["org_user_role_create", "org_user_role_delete", "workspace_membership_create"]
  summary_only   = true
}

data "workiva_activities" "first_only" {
  since          = "2026-05-25T12:00:00Z"
  before         = "2026-06-01T12:00:00Z"
  action_aliases = ["org_user_role_create", "org_user_role_delete", "workspace_membership_create"]
  max_results    = 1
}
