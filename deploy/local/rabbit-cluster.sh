#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, from the same Debian installation as the
# machine's own broker (rabbit@localhost on 5672/15672/15692/25672), which it leaves alone:
# other node names, other ports, and every file of its own under one directory.
#
#   deploy/local/rabbit-cluster.sh start            start the nodes that are down; form the cluster
#   deploy/local/rabbit-cluster.sh stop [--purge]   stop every node (--purge: remove the data too)
#   deploy/local/rabbit-cluster.sh status           each node up or down, and the cluster as node 1..3 sees it
#   deploy/local/rabbit-cluster.sh kill-node N      kill -9 node N's Erlang VM (N = 1, 2 or 3)
#   deploy/local/rabbit-cluster.sh restart-node N   start node N again: it rejoins the cluster by itself
#   deploy/local/rabbit-cluster.sh addresses        the RABBITMQ_ADDRESSES value for the services
#   deploy/local/rabbit-cluster.sh management-urls  the BATCH_DIAGNOSIS_MANAGEMENT_URL value
#
# Everything can be changed from the environment (the system tests do, for free ports):
#   RABBIT_CLUSTER_DIR               data, logs, pid and config files (default .run/rabbit-cluster)
#   RABBIT_CLUSTER_NODE_PREFIX       nodes are <prefix>1@localhost.. (default bl)
#   RABBIT_CLUSTER_AMQP_PORTS        three ports, space-separated (default "5681 5682 5683")
#   RABBIT_CLUSTER_MANAGEMENT_PORTS  (default "15681 15682 15683")
#   RABBIT_CLUSTER_PROMETHEUS_PORTS  (default "15791 15792 15793")
#   RABBIT_CLUSTER_DIST_PORTS        Erlang distribution (default "25681 25682 25683")
#   RABBIT_CLUSTER_USER, RABBIT_CLUSTER_PASSWORD   the services' user (default batchline/batchline)
#
# The nodes share the Erlang cookie of whoever runs this script ($HOME/.erlang.cookie, made by
# Erlang on first use) and the machine's epmd. Run it as the same user every time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${RABBIT_CLUSTER_DIR:-$ROOT/.run/rabbit-cluster}"
PREFIX="${RABBIT_CLUSTER_NODE_PREFIX:-bl}"
read -r -a AMQP_PORTS <<<"${RABBIT_CLUSTER_AMQP_PORTS:-5681 5682 5683}"
read -r -a MANAGEMENT_PORTS <<<"${RABBIT_CLUSTER_MANAGEMENT_PORTS:-15681 15682 15683}"
read -r -a PROMETHEUS_PORTS <<<"${RABBIT_CLUSTER_PROMETHEUS_PORTS:-15791 15792 15793}"
read -r -a DIST_PORTS <<<"${RABBIT_CLUSTER_DIST_PORTS:-25681 25682 25683}"
CLUSTER_USER="${RABBIT_CLUSTER_USER:-batchline}"
CLUSTER_PASSWORD="${RABBIT_CLUSTER_PASSWORD:-batchline}"
# the package's own scripts, not the /usr/sbin wrappers: those switch to the rabbitmq user
# (another cookie, and a data directory it may not be allowed to write)
RABBIT_BIN="${RABBIT_CLUSTER_BIN:-/usr/lib/rabbitmq/bin}"
NODES=(1 2 3)

die() { echo "rabbit-cluster: $*" >&2; exit 1; }

[ -x "$RABBIT_BIN/rabbitmq-server" ] || die "no $RABBIT_BIN/rabbitmq-server: apt-get install rabbitmq-server"
for list in AMQP_PORTS MANAGEMENT_PORTS PROMETHEUS_PORTS DIST_PORTS; do
  declare -n ports="$list"
  [ "${#ports[@]}" -eq 3 ] || die "$list needs three ports, has '${ports[*]}'"
done

node_name() { echo "$PREFIX$1@localhost"; }
node_dir() { echo "$DIR/$PREFIX$1"; }

# runs a RabbitMQ script for node $1 with that node's environment (its files, its ports); the
# variables win over /etc/rabbitmq/rabbitmq-env.conf, which is not read at all
with_node() {
  local n="$1" dir
  shift
  dir="$(node_dir "$n")"
  env RABBITMQ_CONF_ENV_FILE="$DIR/rabbitmq-env.conf" \
    RABBITMQ_NODENAME="$(node_name "$n")" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="${AMQP_PORTS[$((n - 1))]}" \
    RABBITMQ_DIST_PORT="${DIST_PORTS[$((n - 1))]}" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    "$@"
}

ctl() { # node, rabbitmqctl arguments...
  local n="$1"
  shift
  with_node "$n" "$RABBIT_BIN/rabbitmqctl" -n "$(node_name "$n")" "$@"
}

pid_of() { cat "$(node_dir "$1")/rabbitmq.pid" 2>/dev/null || true; }

running() { # the node's VM is alive (its pid file names a live beam process)
  local pid
  pid="$(pid_of "$1")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q beam "/proc/$pid/cmdline" 2>/dev/null
}

write_config() {
  local n="$1" dir
  dir="$(node_dir "$n")"
  mkdir -p "$dir/mnesia" "$dir/log"
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.local = 127.0.0.1:${AMQP_PORTS[$((n - 1))]}
management.tcp.ip = 127.0.0.1
management.tcp.port = ${MANAGEMENT_PORTS[$((n - 1))]}
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = ${PROMETHEUS_PORTS[$((n - 1))]}
cluster_name = batchline-local
log.file.level = info
EOF
  # a quorum queue declared without x-quorum-initial-group-size gets members on this many
  # nodes: all three here, while one node alone still gets a single member
  cat >"$dir/advanced.config" <<EOF
[{rabbit, [{quorum_cluster_size, 3}]}].
EOF
  echo '[rabbitmq_management,rabbitmq_prometheus].' >"$dir/enabled_plugins"
}

start_node() {
  local n="$1"
  if running "$n"; then
    echo "$(node_name "$n") already running (pid $(pid_of "$n"))"
    return
  fi
  write_config "$n"
  # -detached: the VM daemonizes and writes its pid file; its console output goes to a file
  with_node "$n" "$RABBIT_BIN/rabbitmq-server" -detached >>"$(node_dir "$n")/log/startup.log" 2>&1
  echo "$(node_name "$n") starting (AMQP ${AMQP_PORTS[$((n - 1))]}, management ${MANAGEMENT_PORTS[$((n - 1))]}, log $(node_dir "$n")/log)"
}

await_node() {
  local n="$1"
  for _ in $(seq 1 120); do
    if ctl "$n" -q await_startup --timeout 5 >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  echo "$(node_name "$n") did not start within about 2 minutes; last lines of its log:" >&2
  tail -n 30 "$(node_dir "$n")"/log/*.log >&2 || true
  exit 1
}

in_cluster_of_1() { # node $1 already counts node 1 as a member of its cluster
  ctl "$1" -q cluster_status --formatter json 2>/dev/null | grep -q "\"$(node_name 1)\""
}

start() {
  mkdir -p "$DIR"
  echo "ERL_EPMD_ADDRESS=127.0.0.1" >"$DIR/rabbitmq-env.conf"
  # all together: nodes that were clustered wait at boot for the others they knew
  for n in "${NODES[@]}"; do start_node "$n"; done
  for n in "${NODES[@]}"; do await_node "$n"; done
  for n in 2 3; do
    if ! in_cluster_of_1 "$n"; then
      echo "joining $(node_name "$n") to $(node_name 1)"
      ctl "$n" -q stop_app
      ctl "$n" -q reset
      ctl "$n" -q join_cluster "$(node_name 1)"
      ctl "$n" -q start_app
      ctl "$n" -q await_startup
    fi
  done
  if ! ctl 1 -q list_users --formatter json | grep -q "\"user\":\"$CLUSTER_USER\""; then
    ctl 1 -q add_user "$CLUSTER_USER" "$CLUSTER_PASSWORD" >/dev/null
  fi
  ctl 1 -q set_user_tags "$CLUSTER_USER" administrator >/dev/null
  ctl 1 -q set_permissions -p / "$CLUSTER_USER" '.*' '.*' '.*' >/dev/null
  status
  echo
  echo "RABBITMQ_ADDRESSES=$(addresses) RABBITMQ_USER=$CLUSTER_USER RABBITMQ_PASSWORD=$CLUSTER_PASSWORD"
  echo "BATCH_DIAGNOSIS_MANAGEMENT_URL=$(management_urls)"
}

stop() {
  local purge="${1:-}" pids=()
  for n in "${NODES[@]}"; do
    if running "$n"; then
      pids+=("$(pid_of "$n")")
      echo "stopping $(node_name "$n")"
      ctl "$n" -q stop >/dev/null 2>&1 &
    fi
  done
  wait || true
  for _ in $(seq 1 30); do
    local left=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    [ "$left" -eq 0 ] && break
    sleep 1
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
  if [ "$purge" = "--purge" ]; then
    rm -rf "$DIR"
    echo "removed $DIR"
  fi
}

status() {
  local any=""
  for n in "${NODES[@]}"; do
    if running "$n"; then
      echo "$(node_name "$n"): running (pid $(pid_of "$n")), AMQP 127.0.0.1:${AMQP_PORTS[$((n - 1))]}, management http://127.0.0.1:${MANAGEMENT_PORTS[$((n - 1))]}"
      any="${any:-$n}"
    else
      echo "$(node_name "$n"): down"
    fi
  done
  if [ -n "$any" ]; then
    echo
    ctl "$any" -q cluster_status || true
  fi
}

kill_node() {
  local n="$1" pid
  pid="$(pid_of "$n")"
  running "$n" || die "$(node_name "$n") is not running"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  echo "killed $(node_name "$n") (pid $pid)"
}

restart_node() {
  local n="$1"
  start_node "$n"
  await_node "$n"
  echo "$(node_name "$n") is back"
}

addresses() {
  local list=()
  for n in "${NODES[@]}"; do list+=("127.0.0.1:${AMQP_PORTS[$((n - 1))]}"); done
  (IFS=,; echo "${list[*]}")
}

management_urls() {
  local list=()
  for n in "${NODES[@]}"; do list+=("http://127.0.0.1:${MANAGEMENT_PORTS[$((n - 1))]}"); done
  (IFS=,; echo "${list[*]}")
}

node_arg() {
  case "${1:-}" in
    1|2|3) echo "$1" ;;
    *) die "which node? 1, 2 or 3" ;;
  esac
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  status) status ;;
  kill-node) kill_node "$(node_arg "${2:-}")" ;;
  restart-node) restart_node "$(node_arg "${2:-}")" ;;
  addresses) addresses ;;
  management-urls) management_urls ;;
  *) echo "usage: $0 start|stop [--purge]|status|kill-node N|restart-node N|addresses|management-urls" >&2; exit 2 ;;
esac
