#!/usr/bin/env bash
# Builds the pinned OpenTofu CLI from tools/opentofu (a separate Go module)
# into .tools/bin/tofu. Skipped when that binary already reports the version.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want="${1:-$OPENTOFU_VERSION}"
bin="$TOOLS_BIN/tofu"

if [[ -x "$bin" && "$(cli_version "$bin")" == "OpenTofu v$want" ]]; then
  log "OpenTofu v$want already built: $bin"
  exit 0
fi

log "building OpenTofu v$want into $bin (first time only; about 3-6 minutes on 2 cores)"
mkdir -p "$TOOLS_BIN"
start=$SECONDS
# Build to a temporary name and rename, so an interrupted build never leaves a
# half-written binary that the cache check above would trust.
(
  cd "$ROOT/tools/opentofu"
  go build -trimpath -ldflags "-X github.com/opentofu/opentofu/version.dev=no" \
    -o "$bin.tmp" github.com/opentofu/opentofu/cmd/tofu
)
mv -f "$bin.tmp" "$bin"
got="$(cli_version "$bin")"
[[ "$got" == "OpenTofu v$want" ]] || die "built $got, expected OpenTofu v$want (check tools/opentofu/go.mod)"
log "built $got in $((SECONDS - start))s"
