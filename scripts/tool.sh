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

# stamp NAME prints what the build of tools/NAME depends on.
stamp() { cat "$ROOT/tools/$1/go.mod" "$ROOT/tools/$1/go.sum" 2>/dev/null | cksum; }

todo=()
for name in "$@"; do
  [[ -f "$ROOT/tools/$name/go.mod" ]] || die "no tools/$name/go.mod: see README (Tools) to add a tool"
  if [[ -x "$TOOLS_BIN/$name" && "$(cat "$TOOLS_BIN/.$name.stamp" 2>/dev/null)" == "$(stamp "$name")" ]]; then
    continue
  fi
  todo+=("$name")
done
((${#todo[@]})) || exit 0

# Downloading is network-bound and compiling CPU-bound: fetch the modules of
# every tool to build at once, then compile one tool at a time (go build
# already uses every core).
if ((${#todo[@]} > 1)); then
  log "downloading the modules of ${todo[*]}"
  pids=()
  for name in "${todo[@]}"; do
    (cd "$ROOT/tools/$name" && go list -deps "$(tool_package "$name")" >/dev/null) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || die "downloading the modules of a tool failed (see above)"
  done
fi

for name in "${todo[@]}"; do
  dir="$ROOT/tools/$name"
  bin="$TOOLS_BIN/$name"
  want="$(stamp "$name")"
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
  echo "$want" >"$TOOLS_BIN/.$name.stamp"
  log "built $name in $((SECONDS - start))s"
done
