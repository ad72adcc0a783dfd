#!/usr/bin/env bash
# Where the CPU goes during deploy/bench/throughput.sh: every service JVM records a JFR profile
# (Java Flight Recorder, settings=profile) for exactly the run (BENCH_JFR_DIR), and afterwards
# each process's samples are summed by the package of their top frame and the hottest methods
# are printed (jfr view hot-methods).
#
#   deploy/bench/profile.sh [--items 100000] [--workers 2]
set -euo pipefail
items=100000 workers=2
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    *) echo "usage: $0 [--items N] [--workers W]" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
out="$ROOT/.run/profile"
rm -rf "$out"; mkdir -p "$out"
source "$ROOT/deploy/local/env.sh"
jfr_tool="$(dirname "$(command -v "$JAVA")")/jfr"
BENCH_JFR_DIR="$out" "$ROOT/deploy/bench/throughput.sh" --items "$items" --workers "$workers" 2>&1 | tee "$out/result.txt"
for jfr in "$out"/*.jfr; do
  echo "== $(basename "$jfr" .jfr): samples by the package of the top frame"
  "$jfr_tool" print --events jdk.ExecutionSample --stack-depth 1 "$jfr" |
    grep -A1 'stackTrace = \[' | grep -v 'stackTrace\|^--' | sed -E 's/^ *//; s/\.[A-Za-z0-9_$]+\(.*//; s/\.[^.]+$//' |
    sort | uniq -c | sort -rn | head -n 12
  "$jfr_tool" view --width 160 hot-methods "$jfr" | head -n 16
done
