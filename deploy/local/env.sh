# Shared settings of the local-run scripts; sourced, not run. Every value can be overridden
# from the environment, like the services' own settings in docker-compose.yml.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="${RUN_DIR:-$ROOT/.run}"

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
    if [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; break; fi
  done
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

export DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-5432}" DB_NAME="${DB_NAME:-batchline}"
export DB_USER="${DB_USER:-postgres}" DB_PASSWORD="${DB_PASSWORD:-}"
export RABBITMQ_HOST="${RABBITMQ_HOST:-127.0.0.1}" RABBITMQ_PORT="${RABBITMQ_PORT:-5672}"
export RABBITMQ_USER="${RABBITMQ_USER:-guest}" RABBITMQ_PASSWORD="${RABBITMQ_PASSWORD:-guest}"
export RABBITMQ_VHOST="${RABBITMQ_VHOST:-/}"
# a RabbitMQ cluster (deploy/local/rabbit-cluster.sh addresses): wins over RABBITMQ_HOST/PORT
export RABBITMQ_ADDRESSES="${RABBITMQ_ADDRESSES:-}"
RABBITMQ_MANAGEMENT_PORT="${RABBITMQ_MANAGEMENT_PORT:-15672}"
API_PORT="${API_PORT:-8080}"
export API_MANAGEMENT_PORT="${API_MANAGEMENT_PORT:-8090}"
WORKER_BASE_PORT="${WORKER_BASE_PORT:-8081}"
# up.sh --apis N (N > 1): API instance i listens on API_INSTANCE_BASE_PORT+i-1 (8071..) and
# API_INSTANCE_MANAGEMENT_BASE_PORT+i-1 (8091..), behind HAProxy on API_PORT
API_INSTANCE_BASE_PORT="${API_INSTANCE_BASE_PORT:-8071}"
API_INSTANCE_MANAGEMENT_BASE_PORT="${API_INSTANCE_MANAGEMENT_BASE_PORT:-8091}"
API_URL="${API_URL:-http://127.0.0.1:$API_PORT}"

API_JAR="$ROOT/api-service/target/api-service-0.1.0-SNAPSHOT-exec.jar"
WORKER_JAR="$ROOT/worker-service/target/worker-service-0.1.0-SNAPSHOT-exec.jar"
CLI_JAR="$ROOT/cli/target/batchline.jar"
# C1 only and the serial collector: on a small host shared by several JVMs, a broker and a
# database, C2 compiler threads and parallel GC threads compete for the same cores.
JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms256m -Xmx768m}"

# N random letters and digits; every stage reads its input to the end, so no SIGPIPE under pipefail
random_token() {
  head -c 4096 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9' | cut -c "1-$1"
}

# the admin API key: BATCH_BOOTSTRAP_ADMIN_KEY if set, else the one up.sh generated
admin_key() {
  if [ -n "${BATCH_BOOTSTRAP_ADMIN_KEY:-}" ]; then echo "$BATCH_BOOTSTRAP_ADMIN_KEY";
  elif [ -f "$RUN_DIR/admin-key" ]; then cat "$RUN_DIR/admin-key";
  fi
}

# is the process in pid file $1 alive? (a killed process may linger as a zombie: that is dead)
alive() {
  [ -f "$1" ] || return 1
  local pid state
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null)
  [ -n "$state" ] && [ "${state:0:1}" != "Z" ]
}
