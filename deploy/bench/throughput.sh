#!/usr/bin/env bash
# End-to-end throughput: runs a fresh local stack (its own database, vhost and ports, so a
# running dev stack is not touched), submits one N-item noop batch as NDJSON, waits until
# the batch has ended and prints
#   RESULT items=N seconds=S items_per_s=R submit_ms=M
# where S runs from the start of the POST to the batch's completion.
#
#   deploy/bench/throughput.sh [--items 100000] [--workers 2] [--delay-ms 0] [--options '{...}'] [--keep]
#
# --delay-ms makes every item wait that long in the worker; --options are the batch's options
# (e.g. '{"chunkSize":1}' so each consumer runs one item at a time, see deploy/bench/scaling.sh).
set -euo pipefail
items=100000 workers=2 keep=false delay=0 options='{}'
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --delay-ms) delay="$2"; shift 2 ;;
    --options) options="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    *) echo "usage: $0 [--items N] [--workers W] [--delay-ms MS] [--options JSON] [--keep]" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export RUN_DIR="$ROOT/.run/bench"
# BENCH_DB_NAME / BENCH_VHOST: two benches on one machine need their own database and vhost
export DB_NAME="${BENCH_DB_NAME:-batchline_bench}" RABBITMQ_VHOST="${BENCH_VHOST:-batchline-bench}"
export API_PORT="${BENCH_API_PORT:-18080}" WORKER_BASE_PORT="${BENCH_WORKER_BASE_PORT:-18081}"
export API_MANAGEMENT_PORT="${BENCH_API_MANAGEMENT_PORT:-18090}"
unset BATCH_BOOTSTRAP_ADMIN_KEY
export BATCH_MAX_ITEMS=$(( items > 10000 ? items : 10000 ))
source "$ROOT/deploy/local/env.sh"
export PGPASSWORD="$DB_PASSWORD"
mgmt="http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT/api"

"$ROOT/deploy/local/down.sh" >/dev/null 2>&1 || true
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X DELETE "$mgmt/vhosts/$RABBITMQ_VHOST" >/dev/null 2>&1 || true
cleanup() {
  if ! $keep; then
    "$ROOT/deploy/local/down.sh" >/dev/null 2>&1 || true
    psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || true
    curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X DELETE "$mgmt/vhosts/$RABBITMQ_VHOST" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

"$ROOT/deploy/local/up.sh" --workers "$workers" >/dev/null
body="$RUN_DIR/items.ndjson"
{
  jq -cn --argjson options "$options" '{operation:"noop",creator:"bench",options:$options}'
  if [ "$delay" -gt 0 ]; then
    awk -v n="$items" -v d="$delay" 'BEGIN { for (i = 0; i < n; i++) printf "{\"key\":\"item-%d\",\"delayMs\":%d}\n", i, d }'
  else
    awk -v n="$items" 'BEGIN { for (i = 0; i < n; i++) printf "{\"key\":\"item-%d\",\"n\":%d}\n", i, i }'
  fi
} >"$body"

auth="Authorization: Bearer $(cat "$RUN_DIR/admin-key")"
# CPU seconds (user + system) of a set of processes, from /proc/<pid>/stat
cpu_of() { # pids...
  local ticks=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] && ticks=$(( ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat") ))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'
}
cpu_split() {
  local api workers
  api=$(cat "$RUN_DIR"/api*.pid 2>/dev/null | tr '\n' ' ')
  workers=$(cat "$RUN_DIR"/worker-*.pid 2>/dev/null | tr '\n' ' ')
  # shellcheck disable=SC2086
  echo "$(cpu_of $api) $(cpu_of $workers) $(cpu_of $(pgrep -f beam.smp)) $(cpu_of $(pgrep -x postgres))"
}
cpu_before=$(cpu_split)
# BENCH_JFR_DIR: record a JFR profile of every service process for exactly the run
jcmd_tool="$(dirname "$(command -v "$JAVA")")/jcmd"
if [ -n "${BENCH_JFR_DIR:-}" ]; then
  mkdir -p "$BENCH_JFR_DIR"
  for pid in $(cat "$RUN_DIR"/*.pid); do "$jcmd_tool" "$pid" JFR.start name=bench settings=profile >/dev/null; done
fi
start_ns=$(date +%s%N)
accepted=$(curl -fsS -H "$auth" -X POST "$API_URL/api/batches" -H 'Content-Type: application/x-ndjson' --data-binary "@$body")
submit_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
id=$(echo "$accepted" | jq -r .batchId)
echo "submitted $items items in ${submit_ms} ms, batch $id" >&2
while true; do
  batch=$(curl -fsS -H "$auth" "$API_URL/api/batches/$id")
  status=$(echo "$batch" | jq -r .status)
  case "$status" in completed|failed|cancelled|timed_out) break ;; esac
  sleep 0.2
done
# the batch's own completion time, not the polling loop's
completed_ms=$(psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -tAc \
  "SELECT (extract(epoch FROM completed_at) * 1000)::bigint FROM batches WHERE id = '$id'")
seconds=$(awk -v a="$start_ns" -v b="$completed_ms" 'BEGIN { printf "%.2f", (b - a / 1000000) / 1000 }')
rate=$(awk -v n="$items" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
echo "$batch" | jq -c '{status, counts}' >&2
if [ -n "${BENCH_JFR_DIR:-}" ]; then
  for pidfile in "$RUN_DIR"/*.pid; do
    "$jcmd_tool" "$(cat "$pidfile")" JFR.stop name=bench filename="$BENCH_JFR_DIR/$(basename "$pidfile" .pid).jfr" >/dev/null
  done
fi
read -r a0 w0 b0 p0 <<<"$cpu_before"
read -r a1 w1 b1 p1 <<<"$(cpu_split)"
awk -v a="$a0" -v A="$a1" -v w="$w0" -v W="$w1" -v b="$b0" -v B="$b1" -v p="$p0" -v P="$p1" -v s="$seconds" 'BEGIN {
  printf "CPU seconds during the run (%.1f s wall, 2 cores): api=%.1f workers=%.1f rabbitmq=%.1f postgres=%.1f\n", s, A - a, W - w, B - b, P - p }' >&2
echo "RESULT items=$items seconds=$seconds items_per_s=$rate submit_ms=$submit_ms"
