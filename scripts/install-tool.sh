#!/usr/bin/env bash
# install-tool.sh NAME PACKAGE VERSION: go install PACKAGE@VERSION into
# .tools/bin unless .tools/bin/NAME already is that version.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name="$1" pkg="$2" version="$3"
bin="$TOOLS_BIN/$name"
stamp="$TOOLS_BIN/.$name.version"

# A stamp file records the installed version: asking each tool for its version
# differs per tool, and a pre-release build may not report one at all.
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
  exit 0
fi

log "installing $name $version into $TOOLS_BIN (first time only)"
mkdir -p "$TOOLS_BIN"
start=$SECONDS
# Run outside the repository so the provider's go.mod plays no part.
(cd "${TMPDIR:-/tmp}" && GOBIN="$TOOLS_BIN" go install "$pkg@$version")
echo "$version" >"$stamp"
log "installed $name $version in $((SECONDS - start))s"
