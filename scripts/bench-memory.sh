#!/usr/bin/env bash
# bench-memory.sh: memory and CPU of real `plan` runs against the standalone
# emulator (loopback only), for `make bench`.
#
#  1. Peak RSS of the provider process while a plan reads MEM_ACTIVITIES
#     (default 100000) activities, against the size of the raw JSON pages
#     the API sent for them. Target: at most 4 times.
#  2. CPU and peak RSS of the CLI process for a plan of SUMMARY_ACTIVITIES
#     (default 50000) activities with summary_only = true against the full
#     one. Target: summary at most a tenth of each.
#  3. workiva_activities_export at each of EXPORT_SIZES (default 100000 and
#     1000000 activities), in the same run as scripts/plain-export (a plain
#     Go loop fetching the same pages and writing each activity as a line),
#     EXPORT_REPS (default 2) of each, interleaved; the fastest of each is
#     compared. Targets: the provider's peak RSS at most 64 MiB (the highest
#     of the runs) and flat in N (largest N at most 1.2 times the smallest,
#     comparing each N's least disturbed run: on a loaded machine the GC
#     falls behind and a peak varies by 10 MiB between identical runs, see
#     the per-run lines), the CLI's peak RSS within
#     50 MiB of an empty plan's, the export plan's time (the whole `plan`,
#     Terraform's start included) at most 1.25 times the plain loop's; the
#     two files must be byte-identical. As in bench-report.sh, the time
#     target is checked on CPU time (the plan's: CLI and provider), which a
#     shared machine does not distort; the wall-time ratio is shown beside.
#     The export section runs as against a real API with EXPORT_LATENCY
#     (emulator -latency, e.g. 100ms; default none), EXPORT_BURST (-burst,
#     e.g. 0.7:0.02), EXPORT_MAX_IN_FLIGHT (-max-in-flight) and
#     EXPORT_PARALLELISM (the export's parallelism, default 1; above 1 over
#     a window covering the data, newest first): the same targets apply.
#  4. export-sha: one plan exporting EXPORT_SHA_ACTIVITIES (default 100000)
#     activities in every format, plain and gzip, at parallelism 1 and at
#     EXPORT_SHA_PARALLELISM (default 16), against the same emulator
#     settings. Target: each file's sha256 at parallelism 16 equals
#     parallelism 1's (TestAccActivitiesExport_parallelSameBytes checks the
#     same on a small data set in `make test`).
#
# BENCH_MEMORY_SECTIONS (default "provider summary export export-sha")
# picks sections. Example, a long export against a slow, bursty API:
#   EXPORT_LATENCY=100ms EXPORT_BURST=0.7:0.02 EXPORT_PARALLELISM=16 \
#     BENCH_MEMORY_SECTIONS=export scripts/bench-memory.sh
#
# The provider runs under /usr/bin/time -v through a wrapper that
# dev_overrides points the CLI at; the CLI runs under /usr/bin/time -v too,
# and its own peak RSS is polled from /proc (VmHWM) because time's maximum
# covers its children as well. The CLI's CPU is time's user+sys minus the
# provider's (the CLI reaps the provider, so time counts both).
# Prints one "RESULT ..." line per figure and exits 1 when a target is missed
# (BENCH_NO_FAIL=1 reports without failing).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MEM_ACTIVITIES="${MEM_ACTIVITIES:-100000}"
SUMMARY_ACTIVITIES="${SUMMARY_ACTIVITIES:-50000}"
EXPORT_SIZES="${EXPORT_SIZES:-100000 1000000}"
EXPORT_REPS="${EXPORT_REPS:-2}"
EXPORT_LATENCY="${EXPORT_LATENCY:-0s}"
EXPORT_BURST="${EXPORT_BURST:-}"
EXPORT_MAX_IN_FLIGHT="${EXPORT_MAX_IN_FLIGHT:-0}"
EXPORT_PARALLELISM="${EXPORT_PARALLELISM:-1}"
EXPORT_SHA_ACTIVITIES="${EXPORT_SHA_ACTIVITIES:-100000}"
EXPORT_SHA_PARALLELISM="${EXPORT_SHA_PARALLELISM:-16}"
BENCH_MEMORY_SECTIONS="${BENCH_MEMORY_SECTIONS:-provider summary export export-sha}"
section() { [[ " $BENCH_MEMORY_SECTIONS " == *" $1 "* ]]; }

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian/Ubuntu: apt-get install -y time)"
[[ -r /proc/self/status ]] || die "needs Linux /proc"

cli="$(find_terraform)"
[[ -n "$cli" ]] || cli="$(find_tofu)"
log "CLI: $(cli_version "$cli") ($cli)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/workiva-bench-memory.XXXXXX")"
emulator_pid=""
stop_emulator() {
  if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  emulator_pid=""
}
cleanup() {
  stop_emulator
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$ROOT"
log "building the provider and the emulator"
mkdir -p "$tmp/bin" "$tmp/plugins" "$tmp/times"
go build -trimpath -ldflags "-X main.version=0.0.0-bench" -o "$tmp/bin/terraform-provider-workiva" .
go build -trimpath -o "$tmp/bin/workiva-emulator" ./cmd/workiva-emulator
go build -trimpath -o "$tmp/bin/plain-export" ./scripts/plain-export

# The CLI starts the provider more than once per command (schema, then the
# plan itself); each start writes its own report, named by the wrapper's PID.
cat >"$tmp/plugins/terraform-provider-workiva" <<WRAP
#!/bin/sh
exec /usr/bin/time -v -o "$tmp/times/provider.\$\$" "$tmp/bin/terraform-provider-workiva" "\$@"
WRAP
chmod +x "$tmp/plugins/terraform-provider-workiva"

cat >"$tmp/cli.tfrc" <<CONF
provider_installation {
  dev_overrides {
    "registry.terraform.io/workiva/workiva" = "$tmp/plugins"
    "registry.opentofu.org/workiva/workiva" = "$tmp/plugins"
  }
  direct {}
}
CONF
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_LOG

# raw_json_bytes: the bytes of every page of the data source's default read
# ($maxpagesize=1000, newest first), following @nextLink as the client does.
raw_json_bytes() {
  local token url total=0 size pages=0
  token="$(curl -sf --noproxy '*' -X POST "$WORKIVA_API_URL/iam/v1/oauth2/token" \
    --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_id=$WORKIVA_CLIENT_ID" \
    --data-urlencode "client_secret=$WORKIVA_CLIENT_SECRET" |
    sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')"
  [[ -n "$token" ]] || die "no token from the emulator"
  url="$WORKIVA_API_URL/admin/v1/organizations/$WORKIVA_ORGANIZATION_ID/activities?\$maxpagesize=1000&\$orderBy=activityDateTime%20desc"
  while [[ -n "$url" ]]; do
    case "$url" in
      "$WORKIVA_API_URL"/*) ;;
      *) die "next link leaves the emulator: $url" ;;
    esac
    size="$(curl -sf --noproxy '*' -H "Authorization: Bearer $token" -H 'X-Version: 2026-01-01' \
      -o "$tmp/page.json" -w '%{size_download}' "$url")"
    total=$((total + size))
    pages=$((pages + 1))
    url="$(grep -o '"@nextLink" *: *"[^"]*"' "$tmp/page.json" | sed 's/.*: *"\(.*\)"/\1/' || true)"
  done
  log "raw JSON: $pages pages, $total bytes"
  echo "$total"
}

# field FILE NAME: a value from a /usr/bin/time -v report.
field() { sed -n "s/^[[:space:]]*$2: *//p" "$1" | head -n1; }

# cpu_seconds FILE: user + system seconds of a /usr/bin/time -v report.
cpu_seconds() { awk -v u="$(field "$1" 'User time (seconds)')" -v s="$(field "$1" 'System time (seconds)')" 'BEGIN { printf "%.2f", u + s }'; }

# seconds M:SS.SS|H:MM:SS: wall time of a /usr/bin/time -v report in seconds.
seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"; }

# activities_tf SUMMARY_ONLY: a configuration reading every activity.
activities_tf() {
  cat <<TF
data "workiva_activities" "all" {
  summary_only = $1
}
output "result_count" {
  value = data.workiva_activities.all.result_count
}
TF
}

# export_block NAME PATH PARALLELISM [FORMAT COMPRESSION]: a
# workiva_activities_export block writing every activity to PATH; above
# parallelism 1 over the window start_export_emulator set (parallel walks
# need one), newest first as the sequential default.
export_block() {
  echo "data \"workiva_activities_export\" \"$1\" {"
  echo "  path = \"$2\""
  [[ -z "${4:-}" ]] || echo "  format = \"$4\""
  [[ -z "${5:-}" ]] || echo "  compression = \"$5\""
  if [[ "$3" != 1 ]]; then
    echo "  parallelism = $3"
    echo "  order = \"desc\""
    echo "  since = \"$export_since\""
    echo "  before = \"$export_before\""
  fi
  echo "}"
}

# export_tf PATH: a configuration exporting every activity to PATH at
# EXPORT_PARALLELISM.
export_tf() {
  export_block all "$1" "$EXPORT_PARALLELISM"
  cat <<TF
output "result_count" {
  value = data.workiva_activities_export.all.result_count
}
TF
}

# start_export_emulator N: the emulator with N activities and the EXPORT_*
# settings, anchored now; sets export_since and export_before to a window
# covering its data (the 180 days before the anchor).
start_export_emulator() {
  local anchor flags=(-latency "$EXPORT_LATENCY" -max-in-flight "$EXPORT_MAX_IN_FLIGHT")
  anchor="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  [[ -z "$EXPORT_BURST" ]] || flags+=(-burst "$EXPORT_BURST")
  start_emulator "$tmp/bin/workiva-emulator" "$1" "$tmp" 600 -now "$anchor" "${flags[@]}"
  export_since="$(date -u -d "$anchor - 181 days" +%Y-%m-%dT%H:%M:%SZ)"
  export_before="$(date -u -d "$anchor + 1 second" +%Y-%m-%dT%H:%M:%SZ)"
}

# run_plan NAME BODY: plan BODY (data sources and outputs; "" for an empty
# plan) and record, in $tmp/NAME.*, the CLI's time report, its own polled
# peak RSS, and the provider reports. Sets plan_* variables.
run_plan() {
  local name="$1" body="$2" work="$tmp/work-$1" time_pid cli_pid hwm=0 v
  mkdir -p "$work"
  rm -f "$tmp"/times/provider.*
  cat >"$work/main.tf" <<TF
terraform {
  required_providers {
    workiva = { source = "workiva/workiva" }
  }
}
provider "workiva" {}
$body
TF
  /usr/bin/time -v -o "$tmp/$name.cli" "$cli" -chdir="$work" plan -input=false -no-color -lock=false \
    >"$tmp/$name.log" 2>&1 &
  time_pid=$!
  cli_pid=""
  while kill -0 "$time_pid" 2>/dev/null; do
    [[ -n "$cli_pid" ]] || cli_pid="$(pgrep -P "$time_pid" | head -n1 || true)"
    if [[ -n "$cli_pid" ]]; then
      v="$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$cli_pid/status" 2>/dev/null || true)"
      [[ -n "$v" && "$v" -gt "$hwm" ]] && hwm="$v"
    fi
    sleep 0.05
  done
  if ! wait "$time_pid"; then
    cat "$tmp/$name.log" >&2
    die "plan $name failed"
  fi
  plan_count=""
  if [[ -n "$body" ]]; then
    grep -q 'result_count *= *[0-9]' "$tmp/$name.log" || { cat "$tmp/$name.log" >&2; die "plan $name shows no result_count"; }
    plan_count="$(sed -n 's/.*result_count *= *\([0-9]*\).*/\1/p' "$tmp/$name.log" | head -n1)"
  fi
  plan_total_cpu="$(cpu_seconds "$tmp/$name.cli")"
  plan_wall="$(field "$tmp/$name.cli" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')"
  plan_wall_s="$(seconds "$plan_wall")"
  plan_cli_hwm_kb="$hwm"
  plan_provider_rss_kb=0
  plan_provider_cpu=0
  local f r c
  for f in "$tmp"/times/provider.*; do
    [[ -s "$f" ]] || continue
    r="$(field "$f" 'Maximum resident set size (kbytes)')"
    c="$(cpu_seconds "$f")"
    [[ "$r" -gt "$plan_provider_rss_kb" ]] && plan_provider_rss_kb="$r"
    plan_provider_cpu="$(awk -v a="$plan_provider_cpu" -v b="$c" 'BEGIN { printf "%.2f", a + b }')"
  done
  [[ "$plan_provider_rss_kb" -gt 0 || -z "$body" ]] || die "no provider report (did the CLI start the wrapper?)"
  plan_cli_cpu="$(awk -v a="$plan_total_cpu" -v b="$plan_provider_cpu" 'BEGIN { printf "%.2f", a - b }')"
  log "$name: $plan_count items, wall $plan_wall, CLI cpu ${plan_cli_cpu}s peak $((plan_cli_hwm_kb / 1024)) MiB, provider cpu ${plan_provider_cpu}s peak $((plan_provider_rss_kb / 1024)) MiB"
}

fail=0
verdict() { # verdict AWK_CONDITION: sets res to PASS or FAIL (and remembers a failure)
  if awk "BEGIN { exit !($1) }"; then res=PASS; else res=FAIL; fail=1; fi
}

if section provider; then
log "provider memory: plan reading $MEM_ACTIVITIES activities"
start_emulator "$tmp/bin/workiva-emulator" "$MEM_ACTIVITIES" "$tmp"
raw="$(raw_json_bytes)"
run_plan mem "$(activities_tf false)"
[[ "$plan_count" == "$MEM_ACTIVITIES" ]] || die "plan read $plan_count activities, want $MEM_ACTIVITIES"
ratio="$(awk -v r="$plan_provider_rss_kb" -v j="$raw" 'BEGIN { printf "%.2f", r * 1024 / j }')"
verdict "$ratio <= 4"
echo "RESULT provider-peak-rss N=$MEM_ACTIVITIES rss=$((plan_provider_rss_kb / 1024))MiB raw-json=$((raw / 1024 / 1024))MiB ($raw bytes) ratio=${ratio}x target<=4x $res"
echo "RESULT cli-full N=$MEM_ACTIVITIES cli-cpu=${plan_cli_cpu}s cli-peak-rss=$((plan_cli_hwm_kb / 1024))MiB provider-cpu=${plan_provider_cpu}s wall=$plan_wall"
stop_emulator
fi

if section summary; then
log "summary_only against full: plans reading $SUMMARY_ACTIVITIES activities"
start_emulator "$tmp/bin/workiva-emulator" "$SUMMARY_ACTIVITIES" "$tmp"
run_plan full "$(activities_tf false)"
full_cpu="$plan_cli_cpu" full_hwm="$plan_cli_hwm_kb" full_pcpu="$plan_provider_cpu" full_prss="$plan_provider_rss_kb" full_wall="$plan_wall"
run_plan summary "$(activities_tf true)"
[[ "$plan_count" == "$SUMMARY_ACTIVITIES" ]] || die "summary plan read $plan_count activities, want $SUMMARY_ACTIVITIES"
cpu_ratio="$(awk -v s="$plan_cli_cpu" -v f="$full_cpu" 'BEGIN { printf "%.3f", (f > 0 ? s / f : 1) }')"
mem_ratio="$(awk -v s="$plan_cli_hwm_kb" -v f="$full_hwm" 'BEGIN { printf "%.3f", (f > 0 ? s / f : 1) }')"
echo "RESULT cli-full N=$SUMMARY_ACTIVITIES cli-cpu=${full_cpu}s cli-peak-rss=$((full_hwm / 1024))MiB provider-cpu=${full_pcpu}s provider-peak-rss=$((full_prss / 1024))MiB wall=$full_wall"
echo "RESULT cli-summary N=$SUMMARY_ACTIVITIES cli-cpu=${plan_cli_cpu}s cli-peak-rss=$((plan_cli_hwm_kb / 1024))MiB provider-cpu=${plan_provider_cpu}s provider-peak-rss=$((plan_provider_rss_kb / 1024))MiB wall=$plan_wall"
verdict "$cpu_ratio <= 0.1"
echo "RESULT summary-vs-full cli-cpu=${cpu_ratio}x target<=0.1x $res"
verdict "$mem_ratio <= 0.1"
echo "RESULT summary-vs-full cli-peak-rss=${mem_ratio}x target<=0.1x $res"
stop_emulator
fi

export_settings="parallelism=$EXPORT_PARALLELISM latency=$EXPORT_LATENCY burst=${EXPORT_BURST:-none} max-in-flight=$EXPORT_MAX_IN_FLIGHT"
if section export; then
export_rss_first="" export_rss_last="" export_n_first="" export_n_last=""
for n in $EXPORT_SIZES; do
  log "export: $n activities, $EXPORT_REPS plans and $EXPORT_REPS plain loops, interleaved ($export_settings)"
  start_export_emulator "$n"
  run_plan empty ""
  empty_hwm="$plan_cli_hwm_kb"
  best_plan="" best_plain="" best_plan_cpu="" best_plain_cpu="" export_prss=0 export_hwm=0 min_prss=""
  for rep in $(seq 1 "$EXPORT_REPS"); do
    rm -f "$tmp/plain.jsonl" "$tmp/export.jsonl"
    /usr/bin/time -v -o "$tmp/plain.time" "$tmp/bin/plain-export" -out "$tmp/plain.jsonl" >"$tmp/plain.out"
    [[ "$(cat "$tmp/plain.out")" == "$n" ]] || die "plain loop wrote $(cat "$tmp/plain.out") activities, want $n"
    plain_s="$(seconds "$(field "$tmp/plain.time" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')")"
    plain_cpu="$(cpu_seconds "$tmp/plain.time")"
    run_plan export "$(export_tf "$tmp/export.jsonl")"
    [[ "$plan_count" == "$n" ]] || die "export plan wrote $plan_count activities, want $n"
    cmp -s "$tmp/plain.jsonl" "$tmp/export.jsonl" || die "the export differs from the plain loop's file"
    log "export rep $rep: plan ${plan_wall_s}s (cpu ${plan_total_cpu}s), plain loop ${plain_s}s (cpu ${plain_cpu}s), provider peak $((plan_provider_rss_kb / 1024)) MiB"
    [[ -z "$best_plan_cpu" ]] || awk -v a="$plan_total_cpu" -v b="$best_plan_cpu" 'BEGIN { exit !(a < b) }' && best_plan_cpu="$plan_total_cpu"
    [[ -z "$best_plain_cpu" ]] || awk -v a="$plain_cpu" -v b="$best_plain_cpu" 'BEGIN { exit !(a < b) }' && best_plain_cpu="$plain_cpu"
    [[ -z "$best_plan" ]] || awk -v a="$plan_wall_s" -v b="$best_plan" 'BEGIN { exit !(a < b) }' && best_plan="$plan_wall_s"
    [[ -z "$best_plain" ]] || awk -v a="$plain_s" -v b="$best_plain" 'BEGIN { exit !(a < b) }' && best_plain="$plain_s"
    [[ "$plan_provider_rss_kb" -gt "$export_prss" ]] && export_prss="$plan_provider_rss_kb"
    [[ -n "$min_prss" && "$plan_provider_rss_kb" -ge "$min_prss" ]] || min_prss="$plan_provider_rss_kb"
    [[ "$plan_cli_hwm_kb" -gt "$export_hwm" ]] && export_hwm="$plan_cli_hwm_kb"
  done
  rm -f "$tmp/plain.jsonl" "$tmp/export.jsonl"
  stop_emulator
  verdict "$export_prss <= 64 * 1024"
  echo "RESULT export N=$n $export_settings provider-peak-rss=$((export_prss / 1024))MiB (least disturbed run $((min_prss / 1024))MiB) target<=64MiB $res"
  delta=$(((export_hwm - empty_hwm) / 1024))
  verdict "$export_hwm - $empty_hwm <= 50 * 1024"
  echo "RESULT export N=$n $export_settings cli-peak-rss=$((export_hwm / 1024))MiB empty-plan=$((empty_hwm / 1024))MiB delta=${delta}MiB target<=50MiB $res"
  wall_ratio="$(awk -v a="$best_plan" -v b="$best_plain" 'BEGIN { printf "%.2f", a / b }')"
  cpu_ratio="$(awk -v a="$best_plan_cpu" -v b="$best_plain_cpu" 'BEGIN { printf "%.2f", a / b }')"
  verdict "$cpu_ratio <= 1.25"
  echo "RESULT export N=$n $export_settings cpu=${best_plan_cpu}s plain-loop-cpu=${best_plain_cpu}s ratio=${cpu_ratio}x target<=1.25x $res (wall ${best_plan}s vs ${best_plain}s: ${wall_ratio}x)"
  [[ -n "$export_rss_first" ]] || { export_rss_first="$min_prss"; export_n_first="$n"; }
  export_rss_last="$min_prss" export_n_last="$n"
done
flat="$(awk -v a="$export_rss_last" -v b="$export_rss_first" 'BEGIN { printf "%.2f", a / b }')"
verdict "$flat <= 1.2"
echo "RESULT export $export_settings provider-peak-rss flat N=$export_n_first..$export_n_last $((export_rss_first / 1024))MiB..$((export_rss_last / 1024))MiB ratio=${flat}x target<=1.2x $res"
fi

if section export-sha; then
n="$EXPORT_SHA_ACTIVITIES" p="$EXPORT_SHA_PARALLELISM"
log "export-sha: $n activities in every format and compression at parallelism 1 and $p ($export_settings)"
start_export_emulator "$n"
body=""
cases=()
for format in jsonl json csv; do
  for compression in none gzip; do
    cases+=("${format}_$compression")
    body+="$(export_block "p1_${format}_$compression" "$tmp/p1_${format}_$compression" 1 "$format" "$compression")"$'\n'
    body+="$(export_block "p${p}_${format}_$compression" "$tmp/p${p}_${format}_$compression" "$p" "$format" "$compression")"$'\n'
  done
done
body+="$(printf 'output "result_count" {\n  value = data.workiva_activities_export.p%s_jsonl_none.result_count\n}\n' "$p")"
run_plan sha "$body"
[[ "$plan_count" == "$n" ]] || die "export-sha plan wrote $plan_count activities, want $n"
for c in "${cases[@]}"; do
  a="$(sha256sum "$tmp/p1_$c" | cut -d' ' -f1)"
  b="$(sha256sum "$tmp/p${p}_$c" | cut -d' ' -f1)"
  if [[ "$a" == "$b" ]]; then res=PASS; else res=FAIL; fail=1; fi
  echo "RESULT export-sha N=$n format=${c/_/ compression=} parallelism=$p sha256=${b:0:16}… parallelism=1 sha256=${a:0:16}… target=equal $res"
  rm -f "$tmp/p1_$c" "$tmp/p${p}_$c"
done
stop_emulator
fi

if [[ "$fail" == 1 && "${BENCH_NO_FAIL:-}" != 1 ]]; then
  die "a memory/CPU target was missed (see the RESULT lines)"
fi
