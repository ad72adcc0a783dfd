#!/usr/bin/env bash
# The demo through the command line: writes a CSV of N noop items (20 ms each, 2 % fail on
# purpose), submits it with `batchline submit`, follows it with `batchline watch` (the
# progress bar), then shows the batch and its first failed items.
#   deploy/demo-cli.sh [--items N]        (BATCHLINE_URL, default http://127.0.0.1:8080)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export BATCHLINE_URL="${BATCHLINE_URL:-${API_URL:-http://127.0.0.1:${API_PORT:-8080}}}"
export BATCHLINE_API_KEY="${BATCHLINE_API_KEY:-${BATCH_BOOTSTRAP_ADMIN_KEY:-$(cat "$ROOT/.run/admin-key" 2>/dev/null || true)}}"
if [ -z "$BATCHLINE_API_KEY" ]; then
  echo "no API key: set BATCHLINE_API_KEY (deploy/local/up.sh keeps its admin key in .run/admin-key)" >&2
  exit 1
fi
items=2000
[ "${1:-}" = "--items" ] && items="$2"

csv="$(mktemp "${TMPDIR:-/tmp}/batchline-demo-XXXXXX.csv")"
trap 'rm -f "$csv"' EXIT
{ echo "key,delayMs,failRate"; for ((i = 0; i < items; i++)); do echo "demo-$i,20,0.02"; done; } >"$csv"

echo "Submitting $items noop items (20 ms each, 2 % fail on purpose) to $BATCHLINE_URL with bin/batchline ..."
id="$("$ROOT/bin/batchline" submit "$csv" --operation noop --metadata purpose=demo --quiet)"
echo "batch $id"
set +e
"$ROOT/bin/batchline" watch "$id"
code=$?
set -e
echo
"$ROOT/bin/batchline" status "$id"
echo
echo "First failed items:"
"$ROOT/bin/batchline" items "$id" --status failed --limit 3
echo
echo "Look further:"
echo "  bin/batchline items $id --status failed     bin/batchline export $id     bin/batchline diagnose $id"
echo "  console   $BATCHLINE_URL/ui/batches/$id   (sign in with the API key)"
# 3 means some items failed, as planned here
[ "$code" = 0 ] || [ "$code" = 3 ] || exit "$code"
