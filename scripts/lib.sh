# Shared helpers for the scripts in this folder; source it, don't run it.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_BIN="$ROOT/.tools/bin"

# The CLIs of the support matrix (`make matrix`, the test workflow): folders
# of tools/, each pinning one version in its go.mod. The part of the name
# before "-" is the CLI (terraform or tofu).
MATRIX_TOOLS=(terraform-oldest terraform-newest tofu-oldest tofu-newest)

# tool_package NAME prints the package that tools/NAME/go.mod's `tool`
# directive names (the one thing scripts/tool.sh builds there).
tool_package() {
  local pkg
  pkg="$(cd "$ROOT/tools/$1" && go mod edit -json | sed -n '/"Tool"/,/]/s/.*"Path": "\(.*\)".*/\1/p')"
  [[ -n "$pkg" && "$pkg" != *$'\n'* ]] || die "tools/$1/go.mod must have exactly one tool directive"
  echo "$pkg"
}

# tool_version NAME prints the version tools/NAME/go.mod pins for the module
# that provides its tool ("v1.5.7"): the one place each tool version is set.
tool_version() {
  local pkg mod ver best="" bestver=""
  pkg="$(tool_package "$1")"
  # The providing module is the required module with the longest path that
  # prefixes the package.
  while read -r mod ver; do
    if [[ "$pkg" == "$mod" || "$pkg" == "$mod"/* ]] && ((${#mod} > ${#best})); then
      best="$mod" bestver="$ver"
    fi
  done < <(cd "$ROOT/tools/$1" && go mod edit -json | awk -F'"' '/"Path":/ {p=$4} /"Version":/ {print p, $4}')
  [[ -n "$bestver" ]] || die "tools/$1/go.mod requires no module providing $pkg"
  echo "$bestver"
}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# cli_version BIN prints the CLI's version line ("OpenTofu v1.12.6",
# "Terraform v1.11.4"), or nothing. The whole output is read before matching:
# CLI config warnings come first on stdout, and an early-closing pipe would
# kill the CLI with SIGPIPE under pipefail.
cli_version() {
  local out
  out="$(TF_CLI_CONFIG_FILE='' CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null || true)"
  grep -m1 -E '^(OpenTofu|Terraform) v' <<<"$out" || true
}

# cli_kind BIN prints "tofu" or "terraform" from the binary's own version line,
# so a TF_ACC_TERRAFORM_PATH that points at OpenTofu is still run as OpenTofu.
cli_kind() {
  if [[ "$(cli_version "$1")" == OpenTofu* ]]; then
    echo tofu
  else
    echo terraform
  fi
}

# find_tofu prints the path of an OpenTofu binary: TOFU if set, else tofu on
# PATH, else the newest pinned build in .tools/bin (built on first use).
find_tofu() {
  if [[ -n "${TOFU:-}" ]]; then
    echo "$TOFU"
  elif command -v tofu >/dev/null 2>&1; then
    command -v tofu
  else
    "$ROOT/scripts/tool.sh" tofu-newest >&2
    echo "$TOOLS_BIN/tofu-newest"
  fi
}

# find_terraform prints the path of a Terraform binary (TERRAFORM if set, else
# terraform on PATH), or nothing when there is none.
find_terraform() {
  if [[ -n "${TERRAFORM:-}" ]]; then
    echo "$TERRAFORM"
  else
    command -v terraform 2>/dev/null || true
  fi
}

# empty_cli_config writes an empty CLI configuration file and prints its path:
# acceptance tests and docs generation must not see the user's ~/.terraformrc
# (dev_overrides or mirrors there would change what gets tested).
empty_cli_config() {
  local f
  f="$(mktemp "${TMPDIR:-/tmp}/workiva-cli-config.XXXXXX")"
  : >"$f"
  echo "$f"
}

# start_emulator BIN ACTIVITIES DIR [WAIT_SECONDS [FLAG...]]: runs the
# emulator binary on a free loopback port (FLAGs added, e.g. -latency 100ms),
# waits for its env file (the last key marks it complete, WAIT_SECONDS at
# most, default 60: a million activities take longer on a loaded machine)
# and exports its WORKIVA_* lines. Sets emulator_pid; the caller's EXIT trap
# stops it.
start_emulator() {
  local bin="$1" activities="$2" dir="$3" wait_s="${4:-60}"
  shift $(($# < 4 ? $# : 4))
  local env_file="$dir/emulator.env"
  rm -f "$env_file"
  "$bin" -addr 127.0.0.1:0 -activities "$activities" -env-file "$env_file" -now now "$@" \
    >"$dir/emulator.log" 2>&1 &
  emulator_pid=$!
  for _ in $(seq 1 $((wait_s * 10))); do
    if [[ -s "$env_file" ]] && grep -q '^export WORKIVA_ORGANIZATION_ID=' "$env_file"; then
      break
    fi
    kill -0 "$emulator_pid" 2>/dev/null || { cat "$dir/emulator.log" >&2; die "the emulator exited early"; }
    sleep 0.1
  done
  grep -q '^export WORKIVA_ORGANIZATION_ID=' "$env_file" 2>/dev/null || die "the emulator did not write $env_file within ${wait_s}s"
  # `export K='v'` lines, shell-quoted by the emulator.
  # shellcheck disable=SC1090
  source "$env_file"
  case "$WORKIVA_API_URL" in
    http://127.0.0.1:*) ;;
    *) die "the emulator is not on loopback: $WORKIVA_API_URL" ;;
  esac
}
