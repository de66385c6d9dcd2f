# Every login of the last 7 days, oldest first, as a gzip-compressed CSV file
# beside this configuration. The state keeps only the file's metadata.
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

data "workiva_activities_export" "logins" {
  path        = "${path.module}/logins-last-7-days.csv.gz"
  format      = "csv"
  compression = "gzip"

  action_aliases = ["user_login"]
  since          = timeadd(local.now, "-168h")
  before         = local.now
  order          = "asc"
}

output "logins_export" {
  value = {
    file   = data.workiva_activities_export.logins.path
    logins = data.workiva_activities_export.logins.result_count
    sha256 = data.workiva_activities_export.logins.sha256
  }
}
