#!/usr/bin/env bash
# Fair sharing under a huge backlog: runs a fresh local stack (its own database, vhost and
# ports), submits a BIG-item noop batch of slow items (DELAY ms each) as tenant "bulk", then
#   1. samples the item queue's depth for 15 s (bounded by the dispatch window, not the batch),
#   2. submits a 10-item batch as tenant "small" and times it to completion,
#   3. cancels the backlog and times until its queue is empty, then times a 2,000-item batch.
# Prints RESULT lines. A phase that does not finish within --limit seconds reports "not done".
#
#   deploy/bench/fairness.sh [--items 1000000] [--delay-ms 200] [--workers 2] [--window 20000] [--limit 120]
set -euo pipefail
items=1000000 delay=200 workers=2 window=20000 limit=120
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items="$2"; shift 2 ;;
    --delay-ms) delay="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    *) echo "usage: $0 [--items N] [--delay-ms MS] [--workers W] [--window N] [--limit S]" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export RUN_DIR="$ROOT/.run/fairness"
export DB_NAME="batchline_fairness" RABBITMQ_VHOST="batchline-fairness"
export API_PORT="${FAIR_API_PORT:-28080}" WORKER_BASE_PORT="${FAIR_WORKER_BASE_PORT:-28081}"
export API_MANAGEMENT_PORT="${FAIR_API_MANAGEMENT_PORT:-28090}"
unset BATCH_BOOTSTRAP_ADMIN_KEY
export BATCH_MAX_ITEMS=$(( items > 10000 ? items : 10000 )) BATCH_MAX_BODY_BYTES=256MB BATCH_DISPATCH_WINDOW="$window"
source "$ROOT/deploy/local/env.sh"
export PGPASSWORD="$DB_PASSWORD"
mgmt="http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT/api"

"$ROOT/deploy/local/down.sh" >/dev/null 2>&1 || true
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X DELETE "$mgmt/vhosts/$RABBITMQ_VHOST" >/dev/null 2>&1 || true
cleanup() {
  "$ROOT/deploy/local/down.sh" >/dev/null 2>&1 || true
  psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || true
  curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X DELETE "$mgmt/vhosts/$RABBITMQ_VHOST" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$ROOT/deploy/local/up.sh" --workers "$workers" >/dev/null
admin="Authorization: Bearer $(cat "$RUN_DIR/admin-key")"
key_of() { # tenant
  curl -fsS -H "$admin" -H 'Content-Type: application/json' -X POST "$API_URL/api/admin/keys" \
    -d "{\"tenant\":\"$1\",\"role\":\"submitter\"}" | jq -r .key
}
bulk="Authorization: Bearer $(key_of bulk)"
small="Authorization: Bearer $(key_of small)"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
queue_depth() {
  curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" "$mgmt/queues/$RABBITMQ_VHOST/batch.items.noop?columns=messages" | jq -r '.messages // 0'
}
status_of() { # auth id
  curl -fsS -H "$1" "$API_URL/api/batches/$2" | jq -r .status
}
await_end() { # auth id -> prints ms or "not done"
  local start; start=$(now_ms)
  while [ $(( $(now_ms) - start )) -lt $(( limit * 1000 )) ]; do
    case "$(status_of "$1" "$2")" in completed|failed|cancelled|timed_out) echo $(( $(now_ms) - start )); return ;; esac
    sleep 0.1
  done
  echo "not-done-after-${limit}s"
}

body="$RUN_DIR/backlog.ndjson"
{
  echo '{"operation":"noop"}'
  awk -v n="$items" -v d="$delay" 'BEGIN { for (i = 0; i < n; i++) printf "{\"delayMs\":%d}\n", d }'
} >"$body"
start=$(now_ms)
backlog=$(curl -fsS -H "$bulk" -X POST "$API_URL/api/batches" -H 'Content-Type: application/x-ndjson' --data-binary "@$body" | jq -r .batchId)
echo "RESULT phase=submit items=$items submit_ms=$(( $(now_ms) - start ))"

deepest=0
for _ in $(seq 1 15); do
  depth=$(queue_depth); [ "$depth" -gt "$deepest" ] && deepest=$depth
  sleep 1
done
echo "RESULT phase=backlog queue_depth_after_15s=$(queue_depth) deepest=$deepest window=$window"

small_body=$(jq -cn '{operation:"noop",items:[range(10)|{key:("s\(.)")}]}')
id=$(curl -fsS -H "$small" -H 'Content-Type: application/json' -X POST "$API_URL/api/batches" -d "$small_body" | jq -r .batchId)
echo "RESULT phase=small-behind-backlog items=10 completed_ms=$(await_end "$small" "$id")"

start=$(now_ms)
curl -fsS -H "$bulk" -X POST "$API_URL/api/batches/$backlog/cancel" >/dev/null
cancel_ms=$(await_end "$bulk" "$backlog")
while [ "$(queue_depth)" -gt 0 ] && [ $(( $(now_ms) - start )) -lt $(( limit * 1000 )) ]; do sleep 0.5; done
echo "RESULT phase=cancel backlog_ended_ms=$cancel_ms queue_empty_ms=$(( $(now_ms) - start )) queue_depth=$(queue_depth)"

after_body=$(jq -cn '{operation:"noop",items:[range(2000)|{key:("a\(.)")}]}')
id=$(curl -fsS -H "$small" -H 'Content-Type: application/json' -X POST "$API_URL/api/batches" -d "$after_body" | jq -r .batchId)
echo "RESULT phase=after-cancel items=2000 completed_ms=$(await_end "$small" "$id")"
