# Every current (non-deprecated) action in the Security category.
data "workiva_activity_actions" "security" {
  category           = "Security"
  include_deprecated = false
}

output "security_action_aliases" {
  value = data.workiva_activity_actions.security.aliases
}
