#!/usr/bin/env bash
# bench-report.sh [FILE]: read `go test -bench` output (FILE or stdin) and
# check the performance targets of the read path:
#   - BenchmarkActivitiesRead: the read costs at most 1.25 times the
#     encoding/json baseline (x-baseline-cpu: CPU time, which a shared
#     machine does not distort; the wall-time ratio is shown beside it), and
#     allocations per activity do not grow with N (largest N at most 1.1
#     times the smallest);
#   - BenchmarkParallelWalk: at least 3 times faster at parallelism 4 than 1;
#   - BenchmarkLatencyWalk (100 ms per page, 70% of the data in 2% of the
#     span, against a plain sequential loop in the same run): speed-up at
#     least 0.75 times the walkers (6x at parallelism 8, 12x at 16); against
#     a server allowing 4 requests in flight, at parallelism 8, the read
#     completes (ok 1) and is at least 3x the loop.
# Prints a table and PASS/FAIL per target; exits 1 when one fails
# (BENCH_NO_FAIL=1 reports without failing) or when a benchmark is missing.
set -euo pipefail

input="$(cat "${1:-/dev/stdin}")"
fail=0

# metric LINE UNIT: the value printed before UNIT on a benchmark line.
metric() {
  awk -v unit="$2" '{ for (i = 2; i <= NF; i++) if ($i == unit) { print $(i - 1); exit } }' <<<"$1"
}
check() { # check NAME AWK_CONDITION DETAIL
  if awk "BEGIN { exit !($2) }"; then
    printf 'PASS  %s (%s)\n' "$1" "$3"
  else
    printf 'FAIL  %s (%s)\n' "$1" "$3"
    fail=1
  fi
}

mapfile -t reads < <(grep -E '^BenchmarkActivitiesRead/N=[0-9]+' <<<"$input" || true)
if [[ ${#reads[@]} -eq 0 ]]; then
  echo "FAIL  no BenchmarkActivitiesRead lines in the input"
  fail=1
else
  printf '%-9s %12s %12s %10s %10s %12s %12s %8s %8s\n' N ns/act cpu-ns/act B/act allocs/act base-ns/act base-cpu/act x-wall x-cpu
  first_allocs="" last_allocs="" first_n="" last_n=""
  for line in "${reads[@]}"; do
    n="$(sed -E 's/^BenchmarkActivitiesRead\/N=([0-9]+).*/\1/' <<<"$line")"
    allocs="$(metric "$line" allocs/activity)"
    xcpu="$(metric "$line" x-baseline-cpu)"
    printf '%-9s %12s %12s %10s %10s %12s %12s %8s %8s\n' "$n" \
      "$(metric "$line" ns/activity)" "$(metric "$line" cpu-ns/activity)" "$(metric "$line" B/activity)" "$allocs" \
      "$(metric "$line" base-ns/activity)" "$(metric "$line" base-cpu-ns/activity)" \
      "$(metric "$line" x-baseline)" "${xcpu:-n/a}"
    if [[ -n "$xcpu" ]]; then
      check "read N=$n at most 1.25x the baseline" "$xcpu <= 1.25" "CPU ratio ${xcpu}x, wall $(metric "$line" x-baseline)x"
    else
      check "read N=$n at most 1.25x the baseline" "$(metric "$line" x-baseline) <= 1.25" "wall ratio $(metric "$line" x-baseline)x (no CPU figure)"
    fi
    [[ -n "$first_allocs" ]] || { first_allocs="$allocs"; first_n="$n"; }
    last_allocs="$allocs" last_n="$n"
  done
  check "allocations per activity constant in N" "$last_allocs <= 1.1 * $first_allocs" \
    "$first_allocs at N=$first_n, $last_allocs at N=$last_n"
fi

mapfile -t walks < <(grep -E '^BenchmarkParallelWalk/parallelism=[0-9]+' <<<"$input" || true)
if [[ ${#walks[@]} -eq 0 ]]; then
  echo "FAIL  no BenchmarkParallelWalk lines in the input"
  fail=1
else
  for line in "${walks[@]}"; do
    p="$(sed -E 's/^BenchmarkParallelWalk\/parallelism=([0-9]+).*/\1/' <<<"$line")"
    s="$(metric "$line" speedup)"
    printf 'parallel walk (50 ms per page): parallelism %-2s %s ns/activity, speed-up %sx\n' "$p" "$(metric "$line" ns/activity)" "$s"
    if [[ "$p" == 4 ]]; then
      check "parallel speed-up at 4 at least 3x" "$s >= 3" "${s}x"
    fi
  done
fi

# latency_target DATA P MIN: the speed-up target of one BenchmarkLatencyWalk
# figure (and, for every figure, that the walk completed).
latency_target() {
  local line s ok
  line="$(grep -E "^BenchmarkLatencyWalk/data=$1/parallelism=$2(-[0-9]+)?[[:space:]]" <<<"$input" | head -n1 || true)"
  if [[ -z "$line" ]]; then
    echo "FAIL  no BenchmarkLatencyWalk/data=$1/parallelism=$2 line in the input"
    fail=1
    return
  fi
  s="$(metric "$line" speedup)" ok="$(metric "$line" ok)"
  printf 'latency walk (100 ms per page, %s): parallelism %-2s %s ns/activity, loop %ss, speed-up %sx\n' \
    "$1" "$2" "$(metric "$line" ns/activity)" "$(metric "$line" loop-s)" "$s"
  check "latency walk $1 at $2 completes" "$ok == 1" "ok=$ok"
  check "latency walk $1 at $2 speed-up at least ${3}x" "$s >= $3" "${s}x"
}
latency_target bursty 8 6
latency_target bursty 16 12
latency_target bursty-max-in-flight-4 8 3

if [[ "$fail" == 1 && "${BENCH_NO_FAIL:-}" != 1 ]]; then
  exit 1
fi
