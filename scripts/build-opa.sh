#!/usr/bin/env bash
# build-opa.sh: build Open Policy Agent, at the version pinned in tools/go.mod
# (the one place that pins it), into .tools/bin/opa unless it is already that
# version. The examples test runs the policy guide's Rego with it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$ROOT"
version="$(go list -modfile=tools/go.mod -m -f '{{.Version}}' github.com/open-policy-agent/opa)"
bin="$TOOLS_BIN/opa"
stamp="$TOOLS_BIN/.opa.version"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
  exit 0
fi
log "building opa $version into $TOOLS_BIN (first time only, a few minutes)"
mkdir -p "$TOOLS_BIN"
start=$SECONDS
go build -modfile=tools/go.mod -trimpath -o "$bin" github.com/open-policy-agent/opa
echo "$version" >"$stamp"
log "built opa $version in $((SECONDS - start))s"
