#!/usr/bin/env bash
# BullMQ-on-Redis counterpart of deploy/bench/throughput.sh. Prints bench.js's line
#   RESULT system=bullmq items=N seconds=S items_per_s=R submit_ms=M redis=<durable|volatile>
#
#   deploy/bench/bullmq/run.sh [--items 100000] [--workers 2] [--concurrency 50]
#                              [--durable [--fsync everysec|always]]
#
# Without --durable: the Redis already on 127.0.0.1:6379 (no persistence here), with a
# unique queue name and key prefix so nothing else is touched; the queue is obliterated after.
# With --durable: a separate, temporary redis-server with an append-only file on a free port
# from 6390, removed afterwards together with its data directory.
set -euo pipefail
items=100000 workers=2 concurrency=50 durable=false fsync=everysec
while [ $# -gt 0 ]; do
  case "$1" in
    --items) items="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --durable) durable=true; shift ;;
    --fsync) fsync="$2"; shift 2 ;;
    *) echo "usage: $0 [--items N] [--workers W] [--concurrency C] [--durable [--fsync everysec|always]]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")"
# Install exactly the locked versions the first time (or after a failed install).
[ -d node_modules/bullmq ] && [ -d node_modules/ioredis ] || npm ci --no-audit --no-fund >&2

port=6379 redis_pid="" redis_dir=""
cleanup() {
  if [ -n "$redis_pid" ]; then
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  if [ -n "$redis_dir" ]; then rm -rf "$redis_dir"; fi
}
trap cleanup EXIT

if $durable; then
  # First port from 6390 that nothing listens on (a connect attempt fails).
  port=6390
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  redis_dir="$(mktemp -d /tmp/bullmq-bench-redis.XXXXXX)"
  # AOF with fsync every second: acknowledged writes survive a crash, bar the last ~second.
  # RDB snapshots are off (--save ""): the AOF is the durability, as in production setups.
  redis-server --port "$port" --bind 127.0.0.1 --dir "$redis_dir" \
    --appendonly yes --appendfsync "$fsync" --save "" \
    --logfile "$redis_dir/redis.log" --daemonize no &
  redis_pid=$!
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    kill -0 "$redis_pid" 2>/dev/null || { cat "$redis_dir/redis.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "temporary durable redis on port $port (pid $redis_pid, dir $redis_dir)" >&2
fi

node bench.js --items "$items" --workers "$workers" --concurrency "$concurrency" \
  --host 127.0.0.1 --port "$port"
