#!/usr/bin/env bash
# Submits a demo batch to a running Batchline and follows it to its end.
#   deploy/demo.sh [--items N]        (API_URL, default http://127.0.0.1:8080)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
API_URL="${API_URL:-http://127.0.0.1:${API_PORT:-8080}}"
API_KEY="${BATCHLINE_API_KEY:-${BATCH_BOOTSTRAP_ADMIN_KEY:-$(cat "$ROOT/.run/admin-key" 2>/dev/null || true)}}"
if [ -z "$API_KEY" ]; then
  echo "no API key: set BATCHLINE_API_KEY (deploy/local/up.sh keeps its admin key in .run/admin-key)" >&2
  exit 1
fi
auth=(-H "Authorization: Bearer $API_KEY")
RABBITMQ_UI="${RABBITMQ_UI:-http://127.0.0.1:15672}"
items=2000
[ "${1:-}" = "--items" ] && items="$2"

body=$(jq -cn --argjson n "$items" '{
  operation: "noop",
  creator: "demo",
  metadata: {purpose: "demo"},
  items: [range(0; $n) | {key: "demo-\(.)", delayMs: 20, failRate: 0.02}]
}')
echo "Submitting $items noop items (20 ms each, 2 % fail on purpose) to $API_URL ..."
accepted=$(curl -fsS "${auth[@]}" -X POST "$API_URL/api/batches" -H 'Content-Type: application/json' -d "$body")
echo "$accepted" | jq .
id=$(echo "$accepted" | jq -r .batchId)

while true; do
  batch=$(curl -fsS "${auth[@]}" "$API_URL/api/batches/$id")
  status=$(echo "$batch" | jq -r .status)
  printf '\r%-10s %6s%%  succeeded %-6s failed %-6s pending %-6s %8s items/s  eta %ss   ' "$status" \
    "$(echo "$batch" | jq -r .percent)" "$(echo "$batch" | jq -r .counts.succeeded)" \
    "$(echo "$batch" | jq -r .counts.failed)" "$(echo "$batch" | jq -r .counts.pending)" \
    "$(echo "$batch" | jq -r '.itemsPerSecond // 0')" "$(echo "$batch" | jq -r '.etaSeconds // "?"')"
  case "$status" in completed|failed|cancelled|timed_out) break ;; esac
  sleep 0.5
done
echo; echo
echo "Summary:"; echo "$batch" | jq '{batchId, status, totalItems, counts, itemsPerSecond, durationMs}'
echo "First failed items:"
curl -fsS "${auth[@]}" "$API_URL/api/batches/$id/items?status=failed&limit=3" | jq '.data'
echo
echo "Look further:"
echo "  console   $API_URL/ui/batches/$id   (sign in with the API key)"
echo "  batch     $API_URL/api/batches/$id"
echo "  items     $API_URL/api/batches/$id/items?status=failed"
echo "  metrics   http://127.0.0.1:${API_MANAGEMENT_PORT:-8090}/actuator/prometheus"
echo "  (every /api call needs: -H 'Authorization: Bearer <key>')"
echo "  RabbitMQ  $RABBITMQ_UI  (queues batch.items.noop, batch.results)"
