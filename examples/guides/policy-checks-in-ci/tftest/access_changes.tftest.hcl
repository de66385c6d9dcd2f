# Tests the check blocks and the precondition of ../main.tf offline: the
# provider is mocked (no credentials, no network) and each run says what the
# data sources return. Run `terraform init` once, then
# `terraform test -test-directory=tftest` (Terraform 1.7 or later; OpenTofu
# 1.8 or later: `tofu test -test-directory=tftest`).
#
# The runs set `ids`, which the checks and the precondition count. Terraform
# cannot yet override a nested list such as `activities` in a test
# (hashicorp/terraform#38369), so the mocked `activities` stay empty.

mock_provider "workiva" {
  # By default, nothing happened in the window.
  mock_data "workiva_activities" {
    defaults = {
      ids = []
    }
  }
}

variables {
  window_end = "2026-06-01T12:00:00Z"
}

run "quiet_window_passes" {
  command = plan

  assert {
    condition     = output.role_changes == []
    error_message = "No role change in the window: the output must be empty."
  }
}

run "new_membership_is_flagged" {
  command = plan

  override_data {
    target = data.workiva_activities.new_memberships
    values = {
      ids = ["act-membership-1"]
    }
  }

  expect_failures = [check.new_workspace_memberships]
}

run "role_change_is_flagged" {
  command = plan

  override_data {
    target = data.workiva_activities.role_changes
    values = {
      ids = ["act-role-1"]
    }
  }

  expect_failures = [check.organization_role_changes]
}

run "precondition_blocks_over_the_limit" {
  command = plan

  variables {
    max_role_changes = 1
  }

  override_data {
    target = data.workiva_activities.role_changes
    values = {
      ids = ["act-role-1", "act-role-2"]
    }
  }

  expect_failures = [check.organization_role_changes, output.role_changes]
}

run "precondition_allows_changes_within_the_limit" {
  command = plan

  variables {
    max_role_changes = 2
  }

  override_data {
    target = data.workiva_activities.role_changes
    values = {
      ids = ["act-role-1", "act-role-2"]
    }
  }

  # The check still flags the changes; the plan itself goes on.
  expect_failures = [check.organization_role_changes]
}

run "invalid_window_end_is_rejected" {
  command = plan

  variables {
    window_end = "yesterday"
  }

  expect_failures = [var.window_end]
}
