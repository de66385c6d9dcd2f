# Exporting activities for an audit: every activity of a fixed window, oldest
# first, streamed to a JSON Lines file; the state and the plan hold only the
# file's metadata (no activity, no personal data).
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

# Every page is read (no max_results): the file is complete, or the read
# fails and no file is written.
data "workiva_activities_export" "audit" {
  path   = "${path.module}/activities-${formatdate("YYYY-MM-DD", var.since)}.jsonl"
  since  = var.since
  before = var.before
  order  = "asc"
}

output "file" {
  value = data.workiva_activities_export.audit.path
}

output "activity_count" {
  value = data.workiva_activities_export.audit.result_count
}

# Hand this to the auditor with the file: `sha256sum` of the file received
# must print the same digest.
output "sha256" {
  value = data.workiva_activities_export.audit.sha256
}

# The evidence manifest beside the file: what it covers, for an auditor who
# gets the file and not the state (verify.sh checks the file against it).
output "manifest" {
  value = data.workiva_activities_export.audit.manifest_path
}

output "first_and_last_activity" {
  value = [
    data.workiva_activities_export.audit.first_activity_date_time,
    data.workiva_activities_export.audit.last_activity_date_time,
  ]
}
