#!/bin/sh
# The auditor's check of an export against its manifest: needs only a POSIX
# shell, grep, sed and sha256sum (no Terraform, no state, no jq).
# Usage: sh verify.sh activities-2026-07-01.jsonl.manifest.json
set -eu
manifest="${1:?usage: verify.sh MANIFEST}"
cd "$(dirname "$manifest")"
sed -n 's/^  "sha256sum": "\(.*\)",$/\1/p' "$(basename "$manifest")" | sha256sum -c -
sed -n 's/^  "\(result_count\|window_settled\|truncated\)": \(.*\),$/\1 = \2/p' "$(basename "$manifest")"
