#!/usr/bin/env bash
# make fuzz: run every Go fuzz target in the module for FUZZTIME each
# (default 10s; before a release run FUZZTIME=5m make fuzz).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fuzztime="${1:-10s}"
cd "$ROOT"

# `go test -list` prints each package's matching names, then "ok  <pkg> ...";
# it fails (and so does this script) when a package does not compile.
listing="$(go test -list '^Fuzz' ./...)"
runs=()
targets=()
while read -r first second _; do
  case "$first" in
    Fuzz*) targets+=("$first") ;;
    ok)
      for t in "${targets[@]}"; do runs+=("$second $t"); done
      targets=()
      ;;
  esac
done <<<"$listing"

((${#runs[@]})) || { log "no fuzz targets found"; exit 0; }
for run in "${runs[@]}"; do
  read -r pkg target <<<"$run"
  log "fuzzing $pkg $target for $fuzztime"
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
done
