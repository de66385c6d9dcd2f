# Every current (non-deprecated) action in the Security category.
terraform {
  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

data "workiva_activity_actions" "security" {
  category           = "Security"
  include_deprecated = false
}

output "security_action_aliases" {
  value = data.workiva_activity_actions.security.aliases
}
