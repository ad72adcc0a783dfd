#!/usr/bin/env bash
# Starts the Batchline API and N workers as local processes against the RabbitMQ and
# PostgreSQL on this machine (the same topology as docker-compose.yml, without Docker).
# Only what is not already running is started, so running it again after a crash brings
# back exactly the dead processes. Logs and pid files: .run/{api,worker-N}.{log,pid}.
#
#   deploy/local/up.sh [--workers N] [--build] [--demo]
set -euo pipefail
source "$(dirname "$0")/env.sh"

workers=2 build=false demo=false
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --build) build=true; shift ;;
    --demo) demo=true; shift ;;
    *) echo "usage: $0 [--workers N] [--build] [--demo]" >&2; exit 2 ;;
  esac
done
mkdir -p "$RUN_DIR"

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

start() { # name jar port
  local name="$1" jar="$2" port="$3"
  if alive "$RUN_DIR/$name.pid"; then
    echo "$name already running (pid $(cat "$RUN_DIR/$name.pid"))"
    return
  fi
  # shellcheck disable=SC2086
  nohup "$JAVA" $JAVA_OPTS -jar "$jar" --server.port="$port" >>"$RUN_DIR/$name.log" 2>&1 &
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

# the API first: it owns the batch schema and declares the topology the workers use
start api "$API_JAR" "$API_PORT"
wait_healthy api "$API_MANAGEMENT_PORT"
for i in $(seq 1 "$workers"); do
  start "worker-$i" "$WORKER_JAR" $((WORKER_BASE_PORT + i - 1))
done
for i in $(seq 1 "$workers"); do
  wait_healthy "worker-$i" $((WORKER_BASE_PORT + i - 1))
done

echo
echo "Batchline is up:  API $API_URL   RabbitMQ UI http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT (guest/guest)"
echo "Console:          $API_URL/ui   (sign in with the admin API key below)"
echo "Metrics, health:  http://127.0.0.1:$API_MANAGEMENT_PORT/actuator/prometheus (API management port)"
if [ -f "$RUN_DIR/admin-key" ] && [ "$BATCH_BOOTSTRAP_ADMIN_KEY" = "$(cat "$RUN_DIR/admin-key")" ]; then
  echo "Admin API key:    $BATCH_BOOTSTRAP_ADMIN_KEY   (kept in $RUN_DIR/admin-key)"
fi
echo "Stop it with:     deploy/local/down.sh"
if $demo; then
  # the demo through the command line (bin/batchline); deploy/demo.sh is the same demo with curl and jq
  # against the services just started, whatever BATCHLINE_* the caller's shell has
  BATCHLINE_URL="$API_URL" BATCHLINE_API_KEY="$BATCH_BOOTSTRAP_ADMIN_KEY" BATCHLINE_PROFILE="" "$ROOT/deploy/demo-cli.sh"
fi
