#!/bin/sh
# Tests the policy offline (no credentials, no network), run from this
# directory: the tests of policy/*_test.rego over the plans in testdata/,
# with Open Policy Agent and again with conftest. Fails when a test fails or
# when the tests cover less than 90% of policy/access_changes.rego.
set -eu

opa test policy/ testdata/
opa test --coverage policy/ testdata/ >coverage.json
printf 'coverage of policy/access_changes.rego: '
opa eval --fail --format raw --input coverage.json \
  '[c | c := input.files["policy/access_changes.rego"].coverage; c >= 90][0]'
conftest verify --policy policy/ --data testdata/
