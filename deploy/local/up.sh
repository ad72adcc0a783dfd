#!/usr/bin/env bash
# Starts the Batchline API and N workers as local processes against the RabbitMQ and
# PostgreSQL on this machine (the same topology as docker-compose.yml, without Docker).
# Only what is not already running is started, so running it again after a crash brings
# back exactly the dead processes. Logs and pid files: .run/{api,worker-N}.{log,pid}.
# With --apis N (N > 1) it starts N API processes, api-1..api-N on ports 8071.. (management
# 8091..), and HAProxy on API_PORT (8080) in front of them (.run/proxy.{log,pid}); HAProxy
# must be installed (apt-get install haproxy).
#
#   deploy/local/up.sh [--workers N] [--apis N] [--build] [--demo]
set -euo pipefail
source "$(dirname "$0")/env.sh"

workers=2 apis=1 build=false demo=false
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --apis) apis="$2"; shift 2 ;;
    --build) build=true; shift ;;
    --demo) demo=true; shift ;;
    *) echo "usage: $0 [--workers N] [--apis N] [--build] [--demo]" >&2; exit 2 ;;
  esac
done
mkdir -p "$RUN_DIR"
case "$apis" in
  [1-9]) ;;
  *) echo "--apis takes 1 to 9" >&2; exit 2 ;;
esac
if [ "$apis" -gt 1 ]; then
  if ! command -v haproxy >/dev/null 2>&1; then
    echo "--apis $apis puts HAProxy in front of the API processes: apt-get install haproxy" >&2
    exit 1
  fi
  if alive "$RUN_DIR/api.pid"; then
    echo "a single API runs on port $API_PORT (pid $(cat "$RUN_DIR/api.pid")): deploy/local/down.sh first" >&2
    exit 1
  fi
elif alive "$RUN_DIR/proxy.pid"; then
  echo "several APIs run behind the proxy on port $API_PORT: deploy/local/down.sh first, or up.sh --apis N" >&2
  exit 1
fi

if $build || [ ! -f "$API_JAR" ] || [ ! -f "$WORKER_JAR" ] || { $demo && [ ! -f "$CLI_JAR" ]; }; then
  echo "Building the services (./mvnw package -DskipTests)..."
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
fi

# the database (and a non-default vhost) must exist before the services migrate / connect
export PGPASSWORD="$DB_PASSWORD"
if ! psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
  echo "Creating database $DB_NAME"
  psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qc "CREATE DATABASE \"$DB_NAME\""
fi
if [ "$RABBITMQ_VHOST" != "/" ]; then
  curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X PUT "http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT/api/vhosts/$RABBITMQ_VHOST" >/dev/null
  curl -fsS -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" -X PUT -H 'content-type: application/json' \
    -d '{"configure":".*","write":".*","read":".*"}' \
    "http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT/api/permissions/$RABBITMQ_VHOST/$RABBITMQ_USER" >/dev/null
fi

# the first admin key: given, or generated once per run directory and kept there
if [ -z "${BATCH_BOOTSTRAP_ADMIN_KEY:-}" ]; then
  if [ ! -f "$RUN_DIR/admin-key" ]; then
    (umask 077; printf 'bl_%s' "$(random_token 32)" >"$RUN_DIR/admin-key")
  fi
  BATCH_BOOTSTRAP_ADMIN_KEY="$(cat "$RUN_DIR/admin-key")"
fi
export BATCH_BOOTSTRAP_ADMIN_KEY
# the pepper of the password HMAC: generated once and kept, because logins depend on it
if [ -z "${BATCH_SECRET_PEPPER:-}" ]; then
  if [ ! -f "$RUN_DIR/secret-pepper" ]; then
    (umask 077; printf '%s' "$(random_token 48)" >"$RUN_DIR/secret-pepper")
  fi
  BATCH_SECRET_PEPPER="$(cat "$RUN_DIR/secret-pepper")"
fi
export BATCH_SECRET_PEPPER

start() { # name jar port [more arguments]
  local name="$1" jar="$2" port="$3"
  shift 3
  if alive "$RUN_DIR/$name.pid"; then
    echo "$name already running (pid $(cat "$RUN_DIR/$name.pid"))"
    return
  fi
  # shellcheck disable=SC2086
  nohup "$JAVA" $JAVA_OPTS -jar "$jar" --server.port="$port" "$@" >>"$RUN_DIR/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
  echo "$name started (pid $!, port $port, log $RUN_DIR/$name.log)"
}

wait_healthy() { # name port
  local name="$1" port="$2"
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; then
      return 0
    fi
    if ! alive "$RUN_DIR/$name.pid"; then
      echo "$name exited; last lines of $RUN_DIR/$name.log:" >&2
      tail -n 30 "$RUN_DIR/$name.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "$name did not become healthy in 120 s; see $RUN_DIR/$name.log" >&2
  exit 1
}

# round robin over the API processes; only connect checks (see deploy/haproxy/haproxy.cfg, the
# same settings for compose): an API whose broker is away still takes submissions
start_proxy() {
  if alive "$RUN_DIR/proxy.pid"; then
    echo "proxy already running (pid $(cat "$RUN_DIR/proxy.pid"))"
    return
  fi
  {
    printf 'global\n    maxconn 4096\n\n'
    printf 'defaults\n    mode http\n    timeout connect 3s\n    timeout client 5m\n    timeout server 5m\n'
    printf '    timeout http-request 60s\n    retries 2\n    option redispatch\n    option forwardfor\n\n'
    printf 'frontend api\n    bind :%s\n    default_backend apis\n\n' "$API_PORT"
    printf 'backend apis\n    balance roundrobin\n    default-server inter 2s fall 2 rise 2\n'
    for i in $(seq 1 "$apis"); do
      printf '    server api-%s 127.0.0.1:%s check\n' "$i" $((API_INSTANCE_BASE_PORT + i - 1))
    done
  } >"$RUN_DIR/haproxy.cfg"
  haproxy -c -q -f "$RUN_DIR/haproxy.cfg"
  nohup haproxy -db -f "$RUN_DIR/haproxy.cfg" >>"$RUN_DIR/proxy.log" 2>&1 &
  echo $! >"$RUN_DIR/proxy.pid"
  echo "proxy started (pid $!, port $API_PORT -> ${apis} APIs, log $RUN_DIR/proxy.log)"
}

# the API first: it owns the batch schema and declares the topology the workers use
if [ "$apis" -eq 1 ]; then
  start api "$API_JAR" "$API_PORT"
  wait_healthy api "$API_MANAGEMENT_PORT"
else
  # one first, so that only one of them migrates the schema on a fresh database (Flyway
  # would serialize them anyway, with a lock)
  start api-1 "$API_JAR" "$API_INSTANCE_BASE_PORT" --management.server.port="$API_INSTANCE_MANAGEMENT_BASE_PORT"
  wait_healthy api-1 "$API_INSTANCE_MANAGEMENT_BASE_PORT"
  for i in $(seq 2 "$apis"); do
    start "api-$i" "$API_JAR" $((API_INSTANCE_BASE_PORT + i - 1)) --management.server.port=$((API_INSTANCE_MANAGEMENT_BASE_PORT + i - 1))
  done
  for i in $(seq 2 "$apis"); do
    wait_healthy "api-$i" $((API_INSTANCE_MANAGEMENT_BASE_PORT + i - 1))
  done
  start_proxy
fi
for i in $(seq 1 "$workers"); do
  start "worker-$i" "$WORKER_JAR" $((WORKER_BASE_PORT + i - 1))
done
for i in $(seq 1 "$workers"); do
  wait_healthy "worker-$i" $((WORKER_BASE_PORT + i - 1))
done

echo
echo "Batchline is up:  API $API_URL   RabbitMQ UI http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT (guest/guest)"
echo "Console:          $API_URL/ui   (sign in with the admin API key below)"
if [ "$apis" -eq 1 ]; then
  echo "Metrics, health:  http://127.0.0.1:$API_MANAGEMENT_PORT/actuator/prometheus (API management port)"
else
  echo "APIs:             $(for i in $(seq 1 "$apis"); do printf 'api-%s http://127.0.0.1:%s (management %s)  ' "$i" \
    $((API_INSTANCE_BASE_PORT + i - 1)) $((API_INSTANCE_MANAGEMENT_BASE_PORT + i - 1)); done)"
fi
if [ -f "$RUN_DIR/admin-key" ] && [ "$BATCH_BOOTSTRAP_ADMIN_KEY" = "$(cat "$RUN_DIR/admin-key")" ]; then
  echo "Admin API key:    $BATCH_BOOTSTRAP_ADMIN_KEY   (kept in $RUN_DIR/admin-key)"
fi
echo "Stop it with:     deploy/local/down.sh"
if $demo; then
  # the demo through the command line (bin/batchline); deploy/demo.sh is the same demo with curl and jq
  # against the services just started, whatever BATCHLINE_* the caller's shell has
  BATCHLINE_URL="$API_URL" BATCHLINE_API_KEY="$BATCH_BOOTSTRAP_ADMIN_KEY" BATCHLINE_PROFILE="" "$ROOT/deploy/demo-cli.sh"
fi
