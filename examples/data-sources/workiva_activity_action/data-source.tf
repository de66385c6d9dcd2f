# Look an action up by its alias: Workiva documents the alias as the stable key
# to match activities on.
terraform {
  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

data "workiva_activity_action" "login" {
  alias = "user_login"
}

output "login_action" {
  value = {
    id       = data.workiva_activity_action.login.id
    name     = data.workiva_activity_action.login.name
    category = data.workiva_activity_action.login.category
  }
}
