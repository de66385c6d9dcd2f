#!/usr/bin/env bash
# testacc.sh terraform|tofu|CLI-PATH [go test args...]
#
# Runs every test in the module (`go test ./...` with TF_ACC=1), so the
# acceptance tests drive the given CLI against the in-process emulator.
#   terraform pass: TF_ACC_TERRAFORM_PATH if set, else TERRAFORM, else
#                   terraform on PATH; skipped with a message when none.
#   tofu pass:      TOFU, else tofu on PATH, else .tools/bin/tofu-newest (built from
#                   tools/tofu-newest on first use, then cached).
#   CLI-PATH:       that terraform or tofu binary (`make matrix`).
# Both build the pinned Open Policy Agent and conftest (tools/opa,
# tools/conftest) into .tools/bin first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pass="${1:?usage: testacc.sh terraform|tofu|CLI-PATH [go test args...]}"
shift

case "$pass" in
  terraform)
    cli="${TF_ACC_TERRAFORM_PATH:-$(find_terraform)}"
    if [[ -z "$cli" ]]; then
      log "SKIP Terraform pass: no terraform on PATH (set TERRAFORM or TF_ACC_TERRAFORM_PATH to run it); the OpenTofu pass still runs"
      exit 0
    fi
    ;;
  tofu) cli="$(find_tofu)" ;;
  */*) cli="$pass" pass="$(cli_kind "$pass")" ;;
  *) die "unknown pass $pass (want terraform, tofu or the path of a CLI)" ;;
esac

[[ -x "$cli" ]] || die "$pass CLI not executable: $cli"
cli="$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")"

cfg="$(empty_cli_config)"
trap 'rm -f "$cfg"' EXIT

export TF_ACC=1 CHECKPOINT_DISABLE=1
export TF_ACC_TERRAFORM_PATH="$cli"
export TF_CLI_CONFIG_FILE="$cfg"
# plugin-testing reads these to name the provider's address in the configs it
# generates; OpenTofu resolves "workiva/workiva" against its own registry host.
if [[ "$(cli_kind "$cli")" == tofu ]]; then
  export TF_ACC_PROVIDER_HOST=registry.opentofu.org
  export TF_ACC_PROVIDER_NAMESPACE=workiva
else
  unset TF_ACC_PROVIDER_HOST TF_ACC_PROVIDER_NAMESPACE
fi

# The examples test runs the policy guide's Rego with the pinned OPA and
# conftest.
"$ROOT/scripts/tool.sh" opa conftest

log "$pass pass: $(cli_version "$cli") ($cli)"
cd "$ROOT"
start=$SECONDS
# -count=1: acceptance results depend on the CLI binary and the clock, which
# the test cache does not see.
status=0
go test -count=1 -timeout "${TIMEOUT:-30m}" "$@" ./... || status=$?
log "$pass pass finished in $((SECONDS - start))s with status $status"
exit "$status"
