# Exporting activities for an audit: every activity in a fixed window, oldest
# first, written out as JSON with `terraform output -raw activities_json`.
terraform {
  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

variable "since" {
  type        = string
  default     = "2026-07-01T00:00:00Z"
  description = "Start of the audit window (RFC 3339, inclusive)."
}

variable "before" {
  type        = string
  default     = "2026-10-01T00:00:00Z"
  description = "End of the audit window (RFC 3339, exclusive)."
}

data "workiva_activities" "audit" {
  since  = var.since
  before = var.before
  order  = "asc"

  # Without max_results the provider follows every page. A cap protects the
  # run from an unexpectedly large window; `truncated` says when it was hit.
  max_results = 200000
}

output "activity_count" {
  value = length(data.workiva_activities.audit.ids)
}

output "activities_json" {
  value = jsonencode([
    for a in data.workiva_activities.audit.activities : {
      id        = a.id
      time      = a.activity_date_time
      action    = a.action.alias
      outcome   = a.outcome
      performer = a.performer.unique_name
      ip        = a.performer.ip_address
      targets   = [for t in a.targets : t.unique_name]
      workspace = try(a.workspace.name, null)
      summary   = a.summary
    }
  ])

  # An audit export must be complete: fail rather than write a partial file.
  precondition {
    condition     = !data.workiva_activities.audit.truncated
    error_message = "More than 200000 activities between ${var.since} and ${var.before}: split the window or raise max_results."
  }
}
