# An activity ID usually comes from an alert, a ticket or workiva_activities.ids.
terraform {
  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

variable "activity_id" {
  type        = string
  description = "ID of the activity to read."
}

data "workiva_activity" "example" {
  id = var.activity_id
}

output "activity" {
  value = {
    when      = data.workiva_activity.example.activity_date_time
    action    = data.workiva_activity.example.action.alias
    who       = data.workiva_activity.example.performer.unique_name
    summary   = data.workiva_activity.example.summary
    workspace = try(data.workiva_activity.example.workspace.name, null)
  }
}
