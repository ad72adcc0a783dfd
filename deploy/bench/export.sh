#!/usr/bin/env bash
# Item export throughput and heap: starts only the API from this checkout's jar (its own
# database, vhost and ports, so a running dev stack is not touched), writes one N-item batch
# straight into its database (INSERT ... SELECT generate_series: succeeded items with a small
# result, every 50th failed with an error), exports it as NDJSON and as CSV with curl while
# sampling the API's heap from the management port every 0.5 s, and prints per format
#   RESULT format=F rows=N bytes=B seconds=S rows_per_s=R heap_mb_min=A heap_mb_max=B old_gen_mb_before=C old_gen_mb_after=D
# "old gen" is the serial collector's tenured generation: what survives collections, so it
# stays flat when an export retains nothing.
#
#   deploy/bench/export.sh [--items 1000000] [--keep]
set -euo pipefail
items=1000000 keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    *) echo "usage: $0 [--items N] [--keep]" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export RUN_DIR="$ROOT/.run/export-bench"
export DB_NAME="batchline_export_bench" RABBITMQ_VHOST="batchline-export-bench"
export API_PORT="${BENCH_API_PORT:-28080}" API_MANAGEMENT_PORT="${BENCH_API_MANAGEMENT_PORT:-28090}"
unset BATCH_BOOTSTRAP_ADMIN_KEY
source "$ROOT/deploy/local/env.sh"
export PGPASSWORD="$DB_PASSWORD"
mgmt="http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT/api"
metrics="http://127.0.0.1:$API_MANAGEMENT_PORT/actuator/metrics"
psql_bench() { psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -v ON_ERROR_STOP=1 -qtA "$@"; }

[ -f "$API_JAR" ] || { echo "no $API_JAR: build it with ./mvnw -B -q -pl api-service -am package -DskipTests" >&2; exit 1; }
mkdir -p "$RUN_DIR"
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "CREATE DATABASE $DB_NAME"
curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X PUT "$mgmt/vhosts/$RABBITMQ_VHOST" >/dev/null
curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X PUT -H 'content-type: application/json' \
  -d '{"configure":".*","write":".*","read":".*"}' "$mgmt/permissions/$RABBITMQ_VHOST/$RABBITMQ_USER" >/dev/null

key="bl_$(random_token 32)"
api_pid=""
cleanup() {
  [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  if ! $keep; then
    psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || true
    curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X DELETE "$mgmt/vhosts/$RABBITMQ_VHOST" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# shellcheck disable=SC2086
BATCH_BOOTSTRAP_ADMIN_KEY="$key" BATCH_SECRET_PEPPER="$(random_token 48)" \
  "$JAVA" $JAVA_OPTS -jar "$API_JAR" --server.port="$API_PORT" >"$RUN_DIR/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$API_MANAGEMENT_PORT/actuator/health" 2>/dev/null | grep -q '"status":"UP"' && break
  kill -0 "$api_pid" 2>/dev/null || { tail -n 30 "$RUN_DIR/api.log" >&2; exit 1; }
  sleep 1
done

id=$(psql_bench -c "SELECT gen_random_uuid()")
start_ns=$(date +%s%N)
psql_bench <<SQL
INSERT INTO batches (id, creator, operation, status, total, succeeded, failed, dispatched, published_below,
                     started_at, completed_at)
VALUES ('$id', 'bench', 'noop', 'completed', $items, $items - $items / 50, $items / 50, $items, $items, now(), now());
INSERT INTO batch_items (batch_id, seq, item_key, payload, status, attempts, result, error_code, error_message, finished_at)
SELECT '$id', g, 'item-' || g, '{}',
       CASE WHEN g % 50 = 49 THEN 'failed' ELSE 'succeeded' END, 1,
       CASE WHEN g % 50 = 49 THEN NULL ELSE jsonb_build_object('n', g, 'ok', true, 'note', 'done, "quoted"') END,
       CASE WHEN g % 50 = 49 THEN 'noop.planned_failure' END,
       CASE WHEN g % 50 = 49 THEN 'failed on purpose' END,
       now()
  FROM generate_series(0, $items - 1) g;
ANALYZE batch_items;
SQL
echo "wrote $items items of batch $id in $(( ($(date +%s%N) - start_ns) / 1000000 )) ms" >&2

heap_mb() { curl -fsS "$metrics/jvm.memory.used?tag=area:heap" | jq '.measurements[0].value / 1048576 | floor'; }
old_mb() { curl -fsS "$metrics/jvm.memory.used?tag=id:Tenured%20Gen" | jq '.measurements[0].value / 1048576 | floor'; }

export_once() { # format
  local format="$1" samples="$RUN_DIR/heap-$1.txt" sampler old_before out stats
  old_before=$(old_mb)
  : >"$samples"
  (while true; do heap_mb >>"$samples" 2>/dev/null || true; sleep 0.5; done) &
  sampler=$!
  out=$(curl -fsS -H "Authorization: Bearer $key" "$API_URL/api/batches/$id/items?format=$format" \
    -o "$RUN_DIR/export.$format" -w '%{size_download} %{time_total}')
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  local rows
  rows=$(wc -l <"$RUN_DIR/export.$format")
  [ "$format" = csv ] && rows=$((rows - 1))
  stats=$(sort -n "$samples" | awk 'NR == 1 { min = $1 } { max = $1 } END { print min, max }')
  read -r bytes seconds <<<"$out"
  read -r hmin hmax <<<"$stats"
  echo "RESULT format=$format rows=$rows bytes=$bytes seconds=$seconds rows_per_s=$(awk -v n="$rows" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }') heap_mb_min=$hmin heap_mb_max=$hmax old_gen_mb_before=$old_before old_gen_mb_after=$(old_mb)"
  rm -f "$RUN_DIR/export.$format"
}

export_once ndjson   # also warms the JIT; the second round is the one to quote
export_once csv
export_once ndjson
export_once csv
echo "JVM: $JAVA_OPTS; $(nproc) cores" >&2
