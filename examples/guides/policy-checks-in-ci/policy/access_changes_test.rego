# Tests of access_changes.rego. The plans under ../testdata/plans are real
# `terraform show -json` output of the configurations next to them, planned
# against the provider's emulator (examples/policy_guide_test.go regenerates
# them); the inputs written inline below are cut down to what one rule reads.
#   opa test --coverage policy/ testdata/
#   conftest verify --policy policy/ --data testdata/
package workiva.access_changes_test

import data.workiva.access_changes

# The five role changes and new memberships of the emulator's 24 hours
# before 2026-06-01T12:00:00Z.
root_findings := {
	"2026-06-01T00:58:00Z organization role granted by fatima.alsayed@example.com (activity YWN0ma8DPm6q0IQc5OspbeFCefjkncU=): Fatima Al-Sayed assigned the role 'Org Security Admin' to 'José Núñez'",
	"2026-06-01T01:53:27Z added to a workspace by priya.r@example.com (activity YWN0p8Ry/rSNxDSLvDERroPK0f0IYoFwrg==): Priya Raghunathan added the user 'Seán O'Brien' to the workspace 'Q2 2026 10-Q'",
	"2026-06-01T06:19:00Z organization role removed by jose.nunez@example.com (activity YWN09yEFQtb8GWBJ21mOTGnXcImsAXZP): José Núñez removed the role 'Org Report Admin' from '李小龍'",
	"2026-06-01T08:49:45Z organization role removed by fatima.alsayed@example.com (activity YWN092gMdQ49UXe3fmY0Yz0vbXZno5g=): Fatima Al-Sayed removed the role 'Org Security Admin' from 'José Núñez'",
	"2026-06-01T09:47:00Z organization role granted by li.xiaolong@example.com (activity YWN0YEV1qU4e4FFRaCRU8W+Z5nhlE/w=): 李小龍 assigned the role 'Org Workspace Admin' to 'Kwame Mensah'",
}

test_root_module_findings_deny if {
	access_changes.deny == root_findings with input as data.plans.root
	count(access_changes.warn) == 0 with input as data.plans.root
}

# The guide's configuration as module.audit.module.access_changes[0]: the
# same findings as at the root, none lost two modules down.
test_child_module_findings_deny if {
	access_changes.deny == root_findings with input as data.plans.child_module
	count(access_changes.warn) == 0 with input as data.plans.child_module
}

test_window_without_findings_passes if {
	count(access_changes.deny) == 0 with input as data.plans.quiet
	count(access_changes.warn) == 0 with input as data.plans.quiet
}

# A reviewed activity still shows, as a warning; the others still block.
test_reviewed_finding_warns_instead_of_deny if {
	reviewed := {"YWN0YEV1qU4e4FFRaCRU8W+Z5nhlE/w="}
	deny := access_changes.deny with input as data.plans.root with access_changes.reviewed as reviewed
	warn := access_changes.warn with input as data.plans.root with access_changes.reviewed as reviewed
	deny == root_findings - {"2026-06-01T09:47:00Z organization role granted by li.xiaolong@example.com (activity YWN0YEV1qU4e4FFRaCRU8W+Z5nhlE/w=): 李小龍 assigned the role 'Org Workspace Admin' to 'Kwame Mensah'"}
	warn == {"reviewed: 2026-06-01T09:47:00Z organization role granted by li.xiaolong@example.com (activity YWN0YEV1qU4e4FFRaCRU8W+Z5nhlE/w=): 李小龍 assigned the role 'Org Workspace Admin' to 'Kwame Mensah'"}
}

test_read_deferred_to_apply_denies if {
	access_changes.deny == {"module.later.data.workiva_activities.role_changes: read only at apply (read_because_config_unknown), so the plan holds no activities to judge: make its arguments known at plan time"} with input as data.plans.deferred
}

# Counts without activities, and a read cut short, block: the policy cannot
# review what the plan does not hold. The one activity read still counts.
test_counts_only_and_truncated_reads_deny if {
	access_changes.deny == {
		"2026-06-01T09:47:00Z organization role granted by li.xiaolong@example.com (activity YWN0YEV1qU4e4FFRaCRU8W+Z5nhlE/w=): 李小龍 assigned the role 'Org Workspace Admin' to 'Kwame Mensah'",
		"data.workiva_activities.counts_only: 12 activities workspace_membership_create (added to a workspace), counted only (summary_only = true): read them with summary_only = false to review them",
		"data.workiva_activities.counts_only: 3 activities org_user_role_create (organization role granted), counted only (summary_only = true): read them with summary_only = false to review them",
		"data.workiva_activities.counts_only: 3 activities org_user_role_delete (organization role removed), counted only (summary_only = true): read them with summary_only = false to review them",
		"data.workiva_activities.first_only: max_results stopped the read while more activities matched, so the rest is not judged: unset max_results",
	} with input as data.plans.limited
}

test_plan_without_data_source_denies if {
	access_changes.deny == {"no workiva_activities data source in the plan: nothing was checked"} with input as data.plans.no_workiva
}

# module "spare" has count = 0: declared, never read, so it only informs.
test_declared_but_unread_data_sources_warn if {
	count(access_changes.deny) == 0 with input as data.plans.not_read
	access_changes.warn == {
		"module.spare.data.workiva_activities.new_memberships is declared but not read in this plan (count or for_each of 0, or -target), so its activities are not judged",
		"module.spare.data.workiva_activities.role_changes is declared but not read in this plan (count or for_each of 0, or -target), so its activities are not judged",
	} with input as data.plans.not_read
}

# Not a plan at all (conftest pointed at another file): nothing checked.
test_empty_input_denies if {
	access_changes.deny == {"no workiva_activities data source in the plan: nothing was checked"} with input as {}
}

activity(id, alias) := {
	"id": id,
	"action": {"alias": alias},
	"activity_date_time": "2026-06-01T10:00:00Z",
	"performer": {"unique_name": "someone@example.com"},
	"summary": "a summary",
}

read(address, activities) := {
	"address": address,
	"mode": "data",
	"type": "workiva_activities",
	"values": {"activities": activities, "summary_only": false, "truncated": false, "counts_by_action_alias": {}},
}

# One activity read by a data source at the root and by one in a child
# module is one finding; an alias the policy does not judge is none.
test_finding_read_twice_is_one_finding if {
	plan := {"prior_state": {"values": {"root_module": {
		"resources": [read("data.workiva_activities.a", [activity("A1", "org_user_role_create"), activity("L1", "user_login")])],
		"child_modules": [{"address": "module.m", "resources": [read("module.m.data.workiva_activities.b", [activity("A1", "org_user_role_create")])]}],
	}}}}
	access_changes.deny == {"2026-06-01T10:00:00Z organization role granted by someone@example.com (activity A1): a summary"} with input as plan
}

# A data source read at apply may still have a copy from an earlier run in
# prior_state: that copy is not judged as if it were this plan's read.
test_stale_copy_of_deferred_read_is_not_judged if {
	plan := {
		"prior_state": {"values": {"root_module": {"resources": [read("data.workiva_activities.a", [activity("A1", "org_user_role_create")])]}}},
		"resource_changes": [{"address": "data.workiva_activities.a", "mode": "data", "type": "workiva_activities", "change": {"actions": ["read"]}}],
	}
	access_changes.deny == {"data.workiva_activities.a: read only at apply (unknown reason), so the plan holds no activities to judge: make its arguments known at plan time"} with input as plan
}

# A resource attribute named like a module tree key is not a module.
test_only_module_tree_paths_count if {
	nested := {"address": "data.workiva_activities.inner", "mode": "data", "type": "workiva_activities", "values": {"activities": [activity("A1", "org_user_role_create")]}}
	plan := {"prior_state": {"values": {"root_module": {"resources": [{
		"address": "terraform_data.x", "mode": "managed", "type": "terraform_data",
		"values": {"output": {"resources": [nested]}},
	}]}}}}
	access_changes.deny == {"no workiva_activities data source in the plan: nothing was checked"} with input as plan
}

test_instance_keys_are_removed if {
	access_changes.without_instance_keys(`module.a[0].module.b["x[1]"].data.workiva_activities.c[2]`) == "module.a.module.b.data.workiva_activities.c"
	access_changes.without_instance_keys(`module.b["say \"hi\""].data.workiva_activities.c`) == "module.b.data.workiva_activities.c"
}
