#!/usr/bin/env bash
# The dispatcher alone: a fresh stack with no workers and no window limit, one N-item noop
# batch; prints how fast one API instance publishes (confirmed) into the item queue:
#   RESULT phase=dispatch items=N seconds=S items_per_s=R
#
#   deploy/bench/dispatch.sh [--items 200000]
set -euo pipefail
items=200000
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items="$2"; shift 2 ;;
    *) echo "usage: $0 [--items N]" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export RUN_DIR="$ROOT/.run/dispatch-bench"
export DB_NAME="batchline_dispatch_bench" RABBITMQ_VHOST="batchline-dispatch-bench"
export API_PORT="${DISPATCH_API_PORT:-38080}" WORKER_BASE_PORT="${DISPATCH_WORKER_BASE_PORT:-38081}"
export API_MANAGEMENT_PORT="${DISPATCH_API_MANAGEMENT_PORT:-38090}"
unset BATCH_BOOTSTRAP_ADMIN_KEY
export BATCH_MAX_ITEMS=$(( items > 10000 ? items : 10000 )) BATCH_DISPATCH_WINDOW=10000000 BATCH_DISPATCH_MIN_WINDOW=10000000
source "$ROOT/deploy/local/env.sh"
export PGPASSWORD="$DB_PASSWORD"
mgmt="http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT/api"
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X DELETE "$mgmt/vhosts/$RABBITMQ_VHOST" >/dev/null 2>&1 || true
cleanup() {
  "$ROOT/deploy/local/down.sh" >/dev/null 2>&1 || true
  psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || true
  curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X DELETE "$mgmt/vhosts/$RABBITMQ_VHOST" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$ROOT/deploy/local/up.sh" --workers 0 >/dev/null
body="$RUN_DIR/items.ndjson"
{ echo '{"operation":"noop"}'; awk -v n="$items" 'BEGIN { for (i = 0; i < n; i++) printf "{\"key\":\"i%d\"}\n", i }'; } >"$body"
auth="Authorization: Bearer $(cat "$RUN_DIR/admin-key")"
id=$(curl -fsS -H "$auth" -H 'Content-Type: application/x-ndjson' -X POST "$API_URL/api/batches" --data-binary "@$body" | jq -r .batchId)
start=$(date +%s%N)
while [ "$(psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -tAc "SELECT dispatched FROM batches WHERE id = '$id'")" -lt "$items" ]; do
  sleep 0.1
done
seconds=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
echo "RESULT phase=dispatch items=$items seconds=$seconds items_per_s=$(awk -v n="$items" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')"
