#!/usr/bin/env bash
# Side by side in one sitting: Batchline (deploy/bench/throughput.sh), BullMQ on a volatile
# Redis and with AOF everysec (deploy/bench/bullmq/run.sh), and RabbitMQ PerfTest as the raw
# broker ceiling (persistent messages to a quorum queue with publisher confirms, consumed with
# manual multi-acks: what Batchline's item path asks of the broker, without the database).
# Runs the systems in turn, --runs times, then prints one table with medians and ranges.
#
#   deploy/bench/compare.sh [--items 100000] [--workers 2] [--runs 3]
set -euo pipefail
items=100000 workers=2 runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: $0 [--items N] [--workers W] [--runs R]" >&2; exit 2 ;;
  esac
done
here="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$here/../.." && pwd)"
source "$ROOT/deploy/local/env.sh"
out="$ROOT/.run/compare"
mkdir -p "$out"
: >"$out/results.tsv"

# PerfTest and its dependencies from Maven Central, once
classpath_file="$out/perftest.classpath"
if [ ! -s "$classpath_file" ]; then
  (cd "$ROOT" && ./mvnw -B -q -f deploy/bench/perftest/pom.xml dependency:build-classpath -Dmdep.outputFile="$classpath_file" >&2)
fi

perftest() {
  local vhost="batchline-perftest" mgmt="http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT/api"
  curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X PUT "$mgmt/vhosts/$vhost" >/dev/null
  curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X PUT -H 'content-type: application/json' \
    -d '{"configure":".*","write":".*","read":".*"}' "$mgmt/permissions/$vhost/$RABBITMQ_USER" >/dev/null
  # one producer (the dispatcher), $workers consumers with prefetch 250 acking every 100 (the
  # workers), for 20 s; the consumers' average rate is the ceiling
  "$JAVA" -cp "$(cat "$classpath_file")" com.rabbitmq.perf.PerfTest \
    --uri "amqp://$RABBITMQ_USER:$RABBITMQ_PASSWORD@$RABBITMQ_HOST:$RABBITMQ_PORT/$vhost" \
    --quorum-queue --queue perftest.items --flag persistent --confirm 2000 \
    --producers 1 --consumers "$workers" --qos 250 --multi-ack-every 100 \
    --size 64 --time 20 >"$out/perftest.log" 2>&1
  curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X DELETE "$mgmt/vhosts/$vhost" >/dev/null || true
  grep -o 'receiving rate avg: [0-9]*' "$out/perftest.log" | tail -n1 | grep -o '[0-9]*$'
}

rate_of() { sed -E 's/.*items_per_s=([0-9]+).*/\1/'; }

for run in $(seq 1 "$runs"); do
  echo "run $run of $runs" >&2
  r=$("$here/throughput.sh" --items "$items" --workers "$workers" | grep '^RESULT' | rate_of)
  printf 'batchline\t%s\n' "$r" >>"$out/results.tsv"; echo "  batchline $r" >&2
  r=$("$here/bullmq/run.sh" --items "$items" --workers "$workers" | grep '^RESULT' | rate_of)
  printf 'bullmq-volatile\t%s\n' "$r" >>"$out/results.tsv"; echo "  bullmq volatile $r" >&2
  r=$("$here/bullmq/run.sh" --items "$items" --workers "$workers" --durable | grep '^RESULT' | rate_of)
  printf 'bullmq-aof-everysec\t%s\n' "$r" >>"$out/results.tsv"; echo "  bullmq aof everysec $r" >&2
  r=$(perftest)
  printf 'rabbitmq-perftest\t%s\n' "$r" >>"$out/results.tsv"; echo "  perftest $r" >&2
done

echo "| system | runs (items/s) | median | range |"
echo "|---|---|---|---|"
for system in batchline bullmq-volatile bullmq-aof-everysec rabbitmq-perftest; do
  awk -F'\t' -v s="$system" '$1 == s { print $2 }' "$out/results.tsv" | sort -n | awk -v s="$system" '
    { v[NR] = $1; all = all (NR > 1 ? " · " : "") $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "| %s | %s | %.0f | %s–%s |\n", s, all, m, v[1], v[NR] }'
done
