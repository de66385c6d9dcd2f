#!/usr/bin/env bash
# make demo: build the provider and the emulator into a temporary directory,
# start the emulator on a free loopback port, point Terraform (or OpenTofu) at
# the local build through dev_overrides, apply examples/demo and print its
# outputs. Everything lives in the temporary directory, which is removed on
# exit together with the emulator process.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/workiva-demo.XXXXXX")"
emulator_pid=""
cleanup() {
  if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prefer Terraform; fall back to OpenTofu (on PATH, else the pinned build).
cli="$(find_terraform)"
[[ -n "$cli" ]] || cli="$(find_tofu)"
log "CLI: $(cli_version "$cli") ($cli)"

cd "$ROOT"
log "building the provider and the emulator"
mkdir -p "$tmp/plugins" "$tmp/work"
go build -trimpath -ldflags "-X main.version=0.0.0-demo" -o "$tmp/plugins/terraform-provider-workiva" .
go build -trimpath -o "$tmp/workiva-emulator" ./cmd/workiva-emulator

log "starting the emulator"
start_emulator "$tmp/workiva-emulator" "${DEMO_ACTIVITIES:-5000}" "$tmp"
log "emulator listening at $WORKIVA_API_URL"

# dev_overrides makes both CLIs load the provider from $tmp/plugins without
# `init` or a registry; `direct {}` keeps any other provider resolvable.
cat >"$tmp/cli.tfrc" <<CONF
provider_installation {
  dev_overrides {
    "registry.terraform.io/workiva/workiva" = "$tmp/plugins"
    "registry.opentofu.org/workiva/workiva" = "$tmp/plugins"
  }
  direct {}
}
CONF
cp examples/demo/*.tf "$tmp/work/"

export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR
color=()
[[ -t 1 ]] || color=(-no-color)
log "applying examples/demo with $(basename "$cli") (no init: dev_overrides serves the local build)"
# The apply log (plan, dev_overrides warning) is shown only if it fails; the
# outputs are what the demo is about.
if ! "$cli" -chdir="$tmp/work" apply -auto-approve -input=false "${color[@]}" >"$tmp/apply.log" 2>&1; then
  cat "$tmp/apply.log" >&2
  die "apply failed"
fi
echo
"$cli" -chdir="$tmp/work" output "${color[@]}"
echo
