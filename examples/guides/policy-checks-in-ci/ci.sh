#!/bin/sh
# The CI job of the policy-checks guide, run from this directory. The plan is
# saved whatever it finds (the check blocks only warn), then Open Policy Agent
# judges it with policy/: each warning is printed, and each denial is printed
# and fails the job (exit 1). TERRAFORM=tofu runs it with OpenTofu.
set -eu
tf="${TERRAFORM:-terraform}"

"$tf" init -input=false
"$tf" plan -input=false -out=tfplan
"$tf" show -json tfplan >plan.json
opa eval --format raw --data policy/ --input plan.json \
  'sprintf("warning: %s", [data.workiva.access_changes.warn[_]])'
opa eval --fail-defined --format raw --data policy/ --input plan.json \
  'data.workiva.access_changes.deny[_]'
