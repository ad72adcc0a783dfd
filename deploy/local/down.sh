#!/usr/bin/env bash
# Stops exactly the processes deploy/local/up.sh started (the pid files in .run/):
# SIGTERM first so workers finish their in-flight items, SIGKILL after 40 s.
set -uo pipefail
source "$(dirname "$0")/env.sh"

shopt -s nullglob
pids=()
for pidfile in "$RUN_DIR"/*.pid; do
  if alive "$pidfile"; then
    pid=$(cat "$pidfile")
    echo "stopping $(basename "$pidfile" .pid) (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    pids+=("$pid")
  fi
  rm -f "$pidfile"
done
for _ in $(seq 1 40); do
  left=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
  [ ${#left[@]} -eq 0 ] && exit 0
  sleep 1
done
for pid in "${left[@]}"; do echo "killing $pid"; kill -KILL "$pid" 2>/dev/null; done
