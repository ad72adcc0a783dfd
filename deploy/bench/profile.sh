#!/usr/bin/env bash
# Where the CPU goes during deploy/bench/throughput.sh: every JVM of the run records a JFR
# profile (Java Flight Recorder, settings=profile), and afterwards the hottest methods of the
# API and of the first worker are printed (jfr view hot-methods), with each process's CPU time.
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
export JAVA_OPTS="$JAVA_OPTS -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$out/rec-%p.jfr"
"$ROOT/deploy/bench/throughput.sh" --items "$items" --workers "$workers" | tee "$out/result.txt"
for jfr in "$out"/rec-*.jfr; do
  main=$("$jfr_tool" print --events jdk.JVMInformation "$jfr" | grep -o 'javaArguments = "[^"]*"' | head -n1)
  cpu=$("$jfr_tool" print --events jdk.CPULoad "$jfr" | grep -o 'jvmUser = [0-9.]*%' | tr -d '%' |
        awk '{ s += $3; n++ } END { if (n) printf "%.0f", s / n }')
  echo "== $(basename "$jfr") $main: average JVM user CPU ${cpu:-?} % of the machine"
  "$jfr_tool" view --width 160 hot-methods "$jfr" | head -n 20
done
