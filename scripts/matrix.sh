#!/usr/bin/env bash
# matrix.sh: runs the acceptance tests (TestAcc*, TF_ACC=1) on every CLI of
# the support matrix and prints a table of passed, failed and skipped tests
# per CLI. The unit tests are not repeated here: `make unit` runs them once.
#   matrix.sh --list   prints the matrix as JSON lines {"cli":..,"version":..}
#                      (the test workflow builds its job matrix from it).
#
# The matrix is the oldest and newest supported Terraform and OpenTofu, each
# pinned in its tools/NAME/go.mod (the one place a version is set) and built
# from source into .tools/bin on first use. A terraform or tofu on PATH of
# another version (Terraform 1.11.4 on the CI machine) is tested as well, as
# it costs no build.
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

# The CLIs on PATH, unless their version is already a row.
for kind in terraform tofu; do
  path="$(command -v "$kind" 2>/dev/null || true)"
  [[ -n "$path" ]] || continue
  v="$(cli_version "$path")" v="${v##* v}"
  [[ -n "$v" ]] || continue
  dup=""
  for row in "${rows[@]}"; do
    [[ "$row" == *" $kind $v" ]] && dup=1
  done
  [[ -n "$dup" ]] || rows+=("PATH:$path $kind $v")
done

# Build the pinned CLIs first (cached), so a build failure stops the run
# before any test does.
"$ROOT/scripts/tool.sh" "${MATRIX_TOOLS[@]}"

out="$ROOT/bin/matrix"
rm -rf "$out"
mkdir -p "$out"
args=()
for row in "${rows[@]}"; do
  read -r name kind v <<<"$row"
  if [[ "$name" == PATH:* ]]; then
    bin="${name#PATH:}" name="$kind-path"
  else
    bin="$TOOLS_BIN/$name"
  fi
  log "matrix: $kind $v ($bin)"
  # A failing pass still yields its JSON; the table below reports it.
  "$ROOT/scripts/testacc.sh" "$bin" -json -run '^TestAcc' >"$out/$name.json" || true
  args+=("$kind=$v=$out/$name.json")
done

cd "$ROOT"
go run ./scripts/matrixtable "${args[@]}" | tee "$out/table.txt"
