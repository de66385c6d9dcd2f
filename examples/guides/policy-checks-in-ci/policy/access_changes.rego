# Judges `terraform show -json` of a plan of ../main.tf, or of any
# configuration that uses it as a module. One package for both engines:
#   opa eval --data policy/ --input plan.json 'data.workiva.access_changes.deny[_]'
#   conftest test --policy policy/ --namespace workiva.access_changes plan.json
#
# deny: what must block the job. One finding per organization role granted
#   or removed, and per workspace membership created, that a
#   workiva_activities data source read during the plan; and every case where
#   the policy cannot see what happened (a read deferred to apply, a read cut
#   short by max_results, counts without details, no data source at all), so
#   that a check that checks nothing never passes.
# warn: what only informs: findings listed in `reviewed`, and data sources
#   the configuration declares that this plan does not read.
package workiva.access_changes

# The findings the guide promises, by action alias.
findings := {
	"org_user_role_create": "organization role granted",
	"org_user_role_delete": "organization role removed",
	"workspace_membership_create": "added to a workspace",
}

# Activity IDs whose findings were reviewed: they warn instead of deny. Add
# to it in a reviewed commit, with who reviewed what and when.
reviewed := set()

# The data source type whose activities the policy judges.
data_source_type := "workiva_activities"

deny contains finding_message(a) if {
	some a in finding_activities
	not a.id in reviewed
}

warn contains sprintf("reviewed: %s", [finding_message(a)]) if {
	some a in finding_activities
	a.id in reviewed
}

# summary_only = true keeps counts but no activities: each count of a
# finding alias still blocks, with no detail to review.
deny contains msg if {
	some r in read_data_sources
	r.values.summary_only
	some alias, n in r.values.counts_by_action_alias
	n > 0
	msg := sprintf("%s: %d activities %s (%s), counted only (summary_only = true): read them with summary_only = false to review them", [r.address, n, alias, findings[alias]])
}

deny contains msg if {
	some r in read_data_sources
	r.values.truncated
	msg := sprintf("%s: max_results stopped the read while more activities matched, so the rest is not judged: unset max_results", [r.address])
}

deny contains msg if {
	some rc in deferred_reads
	msg := sprintf("%s: read only at apply (%s), so the plan holds no activities to judge: make its arguments known at plan time", [rc.address, object.get(rc, "action_reason", "unknown reason")])
}

deny contains msg if {
	count(read_data_sources) == 0
	count(deferred_reads) == 0
	msg := sprintf("no %s data source in the plan: nothing was checked", [data_source_type])
}

warn contains msg if {
	some addr in declared_data_sources
	not addr in planned_addresses
	msg := sprintf("%s is declared but not read in this plan (count or for_each of 0, or -target), so its activities are not judged", [addr])
}

finding_message(a) := sprintf("%s %s by %s (activity %s): %s", [a.activity_date_time, findings[a.action.alias], a.performer.unique_name, a.id, a.summary])

# The activities of every data source read during the plan, in every module,
# whose alias is a finding. A set: an activity read by two data sources is
# one finding.
finding_activities contains a if {
	some r in read_data_sources
	some a in r.values.activities
	findings[a.action.alias]
}

# Data sources read during the plan are in prior_state, in the root module
# and in child_modules at any depth. A data source also listed as a read at
# apply is judged as deferred: a copy in prior_state is from an earlier run.
read_data_sources contains r if {
	some r in module_resources(object.get(input, ["prior_state", "values", "root_module"], {}))
	r.mode == "data"
	r.type == data_source_type
	not r.address in deferred_addresses
}

# Reads Terraform defers to apply (an argument unknown at plan time, or a
# dependency with pending changes): resource_changes with action "read".
deferred_reads contains rc if {
	some rc in object.get(input, "resource_changes", [])
	rc.mode == "data"
	rc.type == data_source_type
	"read" in rc.change.actions
}

deferred_addresses contains rc.address if some rc in deferred_reads

# The resources of a module tree (prior_state or planned_values root_module):
# the root's, and each child module's, at any depth. walk sees every value
# of the tree, so only paths of the form child_modules/i/.../resources/j count.
module_resources(root) := {r |
	walk(root, [path, r])
	n := count(path)
	n >= 2
	path[n - 2] == "resources"
	every i, key in array.slice(path, 0, n - 2) {
		module_tree_step(i, key)
	}
}

module_tree_step(i, "child_modules") if i % 2 == 0

module_tree_step(i, key) if {
	i % 2 == 1
	is_number(key)
}

# The data sources the configuration declares, in the root module and in
# module_calls at any depth, by address without instance keys
# ("module.audit.module.access_changes.data.workiva_activities.role_changes").
declared_data_sources contains addr if {
	walk(object.get(input, ["configuration", "root_module"], {}), [path, r])
	n := count(path)
	n >= 2
	path[n - 2] == "resources"
	calls := array.slice(path, 0, n - 2)
	count(calls) % 3 == 0
	every i, key in calls {
		configuration_step(i, key)
	}
	r.mode == "data"
	r.type == data_source_type
	modules := [sprintf("module.%s.", [name]) | some i, name in calls; i % 3 == 1]
	addr := concat("", array.concat(modules, [r.address]))
}

configuration_step(i, "module_calls") if i % 3 == 0

configuration_step(i, key) if {
	i % 3 == 1
	is_string(key)
}

configuration_step(i, "module") if i % 3 == 2

# Every data source instance the plan reads, now or at apply, by address
# without instance keys (module.x[0], module.y["a"], data.z[1]).
planned_addresses contains without_instance_keys(r.address) if some r in read_data_sources

planned_addresses contains without_instance_keys(rc.address) if some rc in deferred_reads

without_instance_keys(addr) := regex.replace(addr, `\[(?:[0-9]+|"(?:[^"\\]|\\.)*")\]`, "")
