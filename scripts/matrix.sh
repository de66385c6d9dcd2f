#!/usr/bin/env bash
# matrix.sh: runs the acceptance tests (TestAcc*, TF_ACC=1) on every CLI of
# the support matrix and prints a table of passed, failed and skipped tests
# per CLI. The unit tests are not repeated here: `make unit` runs them once.
#   matrix.sh [go test args]   e.g. -run TestAccProvider to narrow the run
#   matrix.sh --list   prints the matrix as JSON lines {"cli":..,"version":..}
#                      (the test workflow builds its job matrix from it).
#
# The matrix is the oldest and newest supported Terraform and OpenTofu, each
# pinned in its tools/NAME/go.mod (the one place a version is set) and built
# from source into .tools/bin on first use. The CLI on PATH is not a row:
# `make test` covers it, and the matrix stays the same everywhere (the test
# workflow runs exactly these rows).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# name, CLI kind and version of each row.
rows=()
for name in "${MATRIX_TOOLS[@]}"; do
  v="$(tool_version "$name")"
  rows+=("$name ${name%%-*} ${v#v}")
done

if [[ "${1:-}" == --list ]]; then
  for row in "${rows[@]}"; do
    read -r _ kind v <<<"$row"
    printf '{"cli":"%s","version":"%s"}\n' "$kind" "$v"
  done
  exit 0
fi

# Build the pinned CLIs first (cached), so a build failure stops the run
# before any test does.
"$ROOT/scripts/tool.sh" "${MATRIX_TOOLS[@]}"

out="$ROOT/bin/matrix"
rm -rf "$out"
mkdir -p "$out"
args=()
for row in "${rows[@]}"; do
  read -r name kind v <<<"$row"
  bin="$TOOLS_BIN/$name"
  log "matrix: $kind $v ($bin)"
  # A failing pass still yields its JSON; the table below reports it.
  "$ROOT/scripts/testacc.sh" "$bin" -json -run '^TestAcc' "$@" >"$out/$name.json" || true
  args+=("$kind=$v=$out/$name.json")
done

cd "$ROOT"
go run ./scripts/matrixtable "${args[@]}" | tee "$out/table.txt"
