#!/usr/bin/env bash
# tool.sh NAME...: builds each tool into .tools/bin/NAME from its own Go module
# tools/NAME/go.mod, which holds the tool's one pin (`require`) and names what
# to build (its one `tool` directive). A tool is rebuilt only when its go.mod
# or go.sum changed since the last build. This is the only way tools are
# installed: the CLIs of the test matrix and the Go tools alike.
#
# One module per tool keeps each tool's dependency graph its own: in a shared
# module, minimal version selection would let one tool's update change the
# dependencies (and so the behaviour) of the others.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

(($#)) || die "usage: tool.sh NAME... (NAME is a folder of tools/ with a go.mod)"

for name in "$@"; do
  dir="$ROOT/tools/$name"
  [[ -f "$dir/go.mod" ]] || die "no tools/$name/go.mod: see README (Tools) to add a tool"
  bin="$TOOLS_BIN/$name"
  stamp="$TOOLS_BIN/.$name.stamp"
  want="$(cat "$dir/go.mod" "$dir/go.sum" 2>/dev/null | cksum)"
  if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    continue
  fi

  pkg="$(tool_package "$name")"
  # The CLIs report "-dev" versions unless told they are a release build;
  # plugin-testing's version checks and the matrix table need the real one.
  ldflags=""
  case "$pkg" in
    github.com/opentofu/opentofu/*) ldflags="-X github.com/opentofu/opentofu/version.dev=no" ;;
    github.com/hashicorp/terraform) ldflags="-X github.com/hashicorp/terraform/version.dev=no" ;;
  esac

  log "building $name ($pkg $(tool_version "$name")) into $bin"
  mkdir -p "$TOOLS_BIN"
  start=$SECONDS
  # Build to a temporary name and rename, so an interrupted build never leaves
  # a half-written binary behind.
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin.tmp" "$pkg")
  if [[ -n "$ldflags" ]]; then
    # A CLI must report exactly its pinned version (no "-dev"): plugin-testing's
    # version checks and the matrix table rely on it.
    got="$(cli_version "$bin.tmp")"
    [[ "$got" == *" $(tool_version "$name")" ]] || die "$name reports \"$got\", expected $(tool_version "$name")"
  fi
  mv -f "$bin.tmp" "$bin"
  echo "$want" >"$stamp"
  log "built $name in $((SECONDS - start))s"
done
