#!/usr/bin/env bash
# make generate: rebuild docs/ with tfplugindocs (pinned in tools/tfplugindocs) from
# templates/, examples/ and the provider's schema.
#
# The schema is exported here rather than by tfplugindocs, because tfplugindocs
# downloads Terraform when none is on PATH; this works offline with Terraform
# or OpenTofu (on PATH, else the pinned build in .tools/bin).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cli="$(find_terraform)"
[[ -n "$cli" ]] || cli="$(find_tofu)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/workiva-docs.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

cd "$ROOT"
platform="$(go env GOOS)_$(go env GOARCH)"
bin="$tmp/terraform-provider-workiva"
go build -o "$bin" .
# An unpacked plugin directory, for both CLIs' default registry hosts, so
# `init -plugin-dir` installs the local build without any network.
for host in registry.terraform.io registry.opentofu.org; do
  dir="$tmp/plugins/$host/workiva/workiva/0.0.1/$platform"
  mkdir -p "$dir"
  cp "$bin" "$dir/"
done

mkdir -p "$tmp/work"
cat >"$tmp/work/main.tf" <<'HCL'
terraform {
  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "0.0.1"
    }
  }
}
HCL

log "exporting the provider schema with $(cli_version "$cli")"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
TF_CLI_CONFIG_FILE="$(empty_cli_config)"
export TF_CLI_CONFIG_FILE
trap 'rm -rf "$tmp" "$TF_CLI_CONFIG_FILE"' EXIT
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR
"$cli" -chdir="$tmp/work" init -input=false -backend=false -plugin-dir="$tmp/plugins" >"$tmp/init.log" 2>&1 ||
  { cat "$tmp/init.log" >&2; die "init failed"; }
"$cli" -chdir="$tmp/work" providers schema -json >"$tmp/schema.raw.json"

# tfplugindocs looks the schema up by the bare provider name; the full address
# differs between the two CLIs (and the docs must not).
sed -E 's#"registry\.(terraform\.io|opentofu\.org)/workiva/workiva"#"workiva"#' \
  "$tmp/schema.raw.json" >"$tmp/schema.json"

"$ROOT/scripts/tool.sh" tfplugindocs
log "rendering docs/ with tfplugindocs"
# tfplugindocs narrates every file; keep that for when it fails.
(
  "$TOOLS_BIN/tfplugindocs" generate \
    --provider-dir "$ROOT" \
    --provider-name workiva \
    --rendered-provider-name Workiva \
    --providers-schema "$tmp/schema.json"
) >"$tmp/generate.log" 2>&1 || { cat "$tmp/generate.log" >&2; die "tfplugindocs generate failed"; }
log "validating docs/"
# validate logs every file it checks; show that only when it fails.
"$TOOLS_BIN/tfplugindocs" validate --provider-dir "$ROOT" --provider-name workiva \
  --providers-schema "$tmp/schema.json" >"$tmp/validate.log" 2>&1 ||
  { cat "$tmp/validate.log" >&2; die "tfplugindocs validate failed"; }
log "docs/ generated and valid"
