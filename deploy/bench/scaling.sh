#!/usr/bin/env bash
# Worker scaling: a sequential 20 ms-per-item handler (noop with delayMs 20 and the batch option
# chunkSize 1, so each consumer runs one item at a time) with 1, 2 and 4 worker processes.
# Ideal: workers x WORKER_CONCURRENCY (2) x 50 items/s. Prints one RESULT line per fleet size.
#
#   deploy/bench/scaling.sh [--items 6000] [--delay-ms 20] [--fleets "1 2 4"]
set -euo pipefail
items=6000 delay=20 fleets="1 2 4"
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items="$2"; shift 2 ;;
    --delay-ms) delay="$2"; shift 2 ;;
    --fleets) fleets="$2"; shift 2 ;;
    *) echo "usage: $0 [--items N] [--delay-ms MS] [--fleets \"1 2 4\"]" >&2; exit 2 ;;
  esac
done
here="$(cd "$(dirname "$0")" && pwd)"
concurrency="${WORKER_CONCURRENCY:-2}"
for workers in $fleets; do
  line=$(WORKER_CONCURRENCY="$concurrency" "$here/throughput.sh" --items "$items" --workers "$workers" \
           --delay-ms "$delay" --options '{"chunkSize":1}' | grep '^RESULT')
  rate=$(echo "$line" | sed -E 's/.*items_per_s=([0-9]+).*/\1/')
  ideal=$(( workers * concurrency * 1000 / delay ))
  echo "RESULT workers=$workers items_per_s=$rate ideal=$ideal efficiency=$(awk -v r="$rate" -v i="$ideal" 'BEGIN { printf "%.2f", r / i }')"
done
