# Shared helpers for the scripts in this folder; source it, don't run it.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_BIN="$ROOT/.tools/bin"
OPENTOFU_VERSION="${OPENTOFU_VERSION:-1.12.6}"

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
# PATH, else the pinned build in .tools/bin (building it on first use).
find_tofu() {
  if [[ -n "${TOFU:-}" ]]; then
    echo "$TOFU"
  elif command -v tofu >/dev/null 2>&1; then
    command -v tofu
  else
    "$ROOT/scripts/build-tofu.sh" "$OPENTOFU_VERSION" >&2
    echo "$TOOLS_BIN/tofu"
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

# start_emulator BIN ACTIVITIES DIR [WAIT_SECONDS]: runs the emulator binary
# on a free loopback port, waits for its env file (the last key marks it
# complete, WAIT_SECONDS at most, default 60: a million activities take
# longer on a loaded machine) and exports its WORKIVA_* lines. Sets
# emulator_pid; the caller's EXIT trap stops it.
start_emulator() {
  local bin="$1" activities="$2" dir="$3" wait_s="${4:-60}"
  local env_file="$dir/emulator.env"
  rm -f "$env_file"
  "$bin" -addr 127.0.0.1:0 -activities "$activities" -env-file "$env_file" -now now \
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
