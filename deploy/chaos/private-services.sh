#!/usr/bin/env bash
# A private RabbitMQ node and PostgreSQL cluster for chaos runs, so that the soak's outages
# (stop_app / start_app, pg_ctl stop / start) never touch the machine's own services.
#
#   deploy/chaos/private-services.sh start   # starts both (if not running), prints the env to export
#   deploy/chaos/private-services.sh env     # prints the TEST_* variables that point the tests at them
#   deploy/chaos/private-services.sh stop    # stops both (their data stays under $SOAK_SERVICES_DIR)
#
# Defaults: RabbitMQ node soak@localhost on AMQP 5673, management 15673, distribution 25673;
# PostgreSQL on 5433; everything under /tmp/soak-services. Override with SOAK_RABBITMQ_NODE,
# SOAK_RABBITMQ_PORT, SOAK_RABBITMQ_MANAGEMENT_PORT, SOAK_RABBITMQ_DIST_PORT,
# SOAK_POSTGRES_PORT, SOAK_SERVICES_DIR. Needs root (or to be the rabbitmq/postgres user):
# the node runs as the rabbitmq user with its Erlang cookie, so `rabbitmqctl -n <node>` reaches it.
set -euo pipefail

DIR=${SOAK_SERVICES_DIR:-/tmp/soak-services}
NODE=${SOAK_RABBITMQ_NODE:-soak@localhost}
AMQP_PORT=${SOAK_RABBITMQ_PORT:-5673}
MGMT_PORT=${SOAK_RABBITMQ_MANAGEMENT_PORT:-15673}
DIST_PORT=${SOAK_RABBITMQ_DIST_PORT:-25673}
PG_PORT=${SOAK_POSTGRES_PORT:-5433}
PG_DATA=$DIR/pg/data
RABBIT_DIR=$DIR/rabbit

PG_BIN=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$candidate/pg_ctl" ]; then PG_BIN=$candidate; break; fi
done
if [ -z "$PG_BIN" ]; then PG_BIN=$(dirname "$(command -v pg_ctl)"); fi

as_user() { # run as the given OS user (we are root, or already that user)
  local user=$1; shift
  if [ "$(id -un)" = "$user" ]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

rabbit_env() { # the node's settings, as an env(1) command line
  echo env HOME=/var/lib/rabbitmq ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_NODENAME="$NODE" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$AMQP_PORT" \
    RABBITMQ_DIST_PORT="$DIST_PORT" \
    RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia" RABBITMQ_LOG_BASE="$RABBIT_DIR/log" \
    RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf" RABBITMQ_CONF_ENV_FILE="$RABBIT_DIR/rabbitmq-env.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins" RABBITMQ_PID_FILE="$RABBIT_DIR/rabbit.pid"
}

rabbitctl() { rabbitmqctl -n "$NODE" "$@"; }

start_rabbit() {
  if rabbitctl -q status >/dev/null 2>&1; then
    echo "RabbitMQ node $NODE is running" >&2
  else
    mkdir -p "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
    cat > "$RABBIT_DIR/rabbitmq.conf" <<CONF
listeners.tcp.local = 127.0.0.1:$AMQP_PORT
management.tcp.port = $MGMT_PORT
management.tcp.ip = 127.0.0.1
CONF
    cat > "$RABBIT_DIR/rabbitmq-env.conf" <<CONF
NODENAME=$NODE
ERL_EPMD_ADDRESS=127.0.0.1
CONF
    echo '[rabbitmq_management].' > "$RABBIT_DIR/enabled_plugins"
    chown -R rabbitmq:rabbitmq "$RABBIT_DIR" 2>/dev/null || true
    echo "starting RabbitMQ node $NODE (AMQP $AMQP_PORT, management $MGMT_PORT)" >&2
    # shellcheck disable=SC2046 # word splitting of the env(1) line is meant (no spaces in it)
    (cd /var/lib/rabbitmq && as_user rabbitmq $(rabbit_env) \
        ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}" /usr/lib/rabbitmq/bin/rabbitmq-server -detached)
  fi
  for _ in $(seq 1 90); do rabbitctl -q status >/dev/null 2>&1 && break; sleep 1; done
  rabbitctl -q await_startup
  for _ in $(seq 1 60); do
    curl -fsS -u guest:guest "http://127.0.0.1:$MGMT_PORT/api/overview" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -fsS -u guest:guest "http://127.0.0.1:$MGMT_PORT/api/overview" >/dev/null
}

start_postgres() {
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$DIR/pg"
    chown postgres:postgres "$DIR/pg" 2>/dev/null || true
    echo "initdb $PG_DATA" >&2
    as_user postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust >/dev/null
    cat >> "$PG_DATA/postgresql.conf" <<CONF
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/pg'
max_connections = 200
CONF
  fi
  if as_user postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    echo "PostgreSQL $PG_DATA is running" >&2
  else
    echo "starting PostgreSQL on $PG_PORT ($PG_DATA)" >&2
    as_user postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -o "-p $PG_PORT" -l "$PG_DATA/pg_ctl.log" -w start >/dev/null
  fi
  for _ in $(seq 1 30); do "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q && break; sleep 1; done
  "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q
}

print_env() {
  cat <<ENV
export BATCHLINE_TEST_SERVICES=local
export TEST_RABBITMQ_HOST=127.0.0.1
export TEST_RABBITMQ_PORT=$AMQP_PORT
export TEST_RABBITMQ_MANAGEMENT_PORT=$MGMT_PORT
export TEST_RABBITMQ_NODE=$NODE
export TEST_POSTGRES_HOST=127.0.0.1
export TEST_POSTGRES_PORT=$PG_PORT
export TEST_POSTGRES_DATADIR=$PG_DATA
ENV
}

case "${1:-}" in
  start)
    start_postgres
    start_rabbit
    print_env
    ;;
  env)
    print_env
    ;;
  stop)
    rabbitctl -q stop >/dev/null 2>&1 || true
    if [ -f "$PG_DATA/PG_VERSION" ]; then
      as_user postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" stop -m fast >/dev/null 2>&1 || true
    fi
    echo "stopped RabbitMQ node $NODE and PostgreSQL $PG_DATA" >&2
    ;;
  *)
    echo "usage: $0 start|env|stop" >&2
    exit 2
    ;;
esac
