# Judges `terraform show -json` of a plan of ../main.tf: one finding per
# organization role granted or removed, and per workspace membership created,
# that the workiva_activities data sources read during the plan.
package workiva.access_changes

# The findings the guide promises, by action alias.
findings := {
	"org_user_role_create": "organization role granted",
	"org_user_role_delete": "organization role removed",
	"workspace_membership_create": "added to a workspace",
}

deny contains msg if {
	some r in input.prior_state.values.root_module.resources
	r.mode == "data"
	r.type == "workiva_activities"
	some a in r.values.activities
	what := findings[a.action.alias]
	msg := sprintf("%s %s by %s (activity %s): %s", [a.activity_date_time, what, a.performer.unique_name, a.id, a.summary])
}
