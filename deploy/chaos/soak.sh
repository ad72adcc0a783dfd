#!/usr/bin/env bash
# Randomized fault soak: an API and 3 workers as OS processes take a seeded stream of mixed
# batches while workers, the API, RabbitMQ and PostgreSQL fail one at a time; at the end
# every batch is checked: nothing lost, counted once, final when terminal (and no queue
# leftovers, dead letters only of failed items, callbacks with the final counts).
#
#   deploy/chaos/soak.sh [--minutes N] [--seed S] [--workers N] [--settle-minutes N]
#                        [--private-services] [-- extra Maven arguments]
#
# --minutes N          how long batches are submitted and faults injected (default 10; fractions allowed)
# --seed S             replays a run: the same workload and fault schedule (default random, printed)
# --workers N          worker processes (default 3)
# --settle-minutes N   longest wait for every batch to end after the last fault (default 5)
# --private-services   run against a private RabbitMQ node and PostgreSQL cluster started by
#                      deploy/chaos/private-services.sh (ports 5673/15673 and 5433) instead of the
#                      machine's own: the soak stops and starts the services it uses, so use this
#                      whenever anything else uses the machine's RabbitMQ or PostgreSQL.
#
# Without --private-services (and without TEST_RABBITMQ_NODE / TEST_POSTGRES_DATADIR in the
# environment) the soak stops and starts the machine's own RabbitMQ application and PostgreSQL
# cluster, exactly as the chaos tests do.
#
# Prints the RESULT line (and every violation) at the end; exits non-zero on any violation.
# The full event log (faults, submissions, actions, callbacks) is in system-tests/target/soak/.
set -euo pipefail
cd "$(dirname "$0")/../.."

minutes=10
seed=""
workers=3
settle=5
private=false
maven_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --settle-minutes) settle=$2; shift 2 ;;
    --private-services) private=true; shift ;;
    --) shift; maven_args=("$@"); break ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$seed" ]; then
  seed=$(( $(od -An -N6 -tu8 /dev/urandom | tr -d ' ') % 281474976710655 + 1 ))
fi
case "$seed" in ''|*[!0-9-]*) echo "--seed must be an integer" >&2; exit 2 ;; esac

# JDK 21+ (the build targets Java 21; the machine's default JDK may be older)
if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
elif [ -z "${JAVA_HOME:-}" ]; then
  for candidate in /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
    if [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; break; fi
  done
fi
echo "JAVA_HOME=${JAVA_HOME:-<java on PATH>}"

if $private; then
  eval "$(deploy/chaos/private-services.sh start)"
  echo "using private services: RabbitMQ node $TEST_RABBITMQ_NODE on $TEST_RABBITMQ_PORT, PostgreSQL $TEST_POSTGRES_DATADIR on $TEST_POSTGRES_PORT"
elif [ -z "${TEST_RABBITMQ_NODE:-}${TEST_POSTGRES_DATADIR:-}" ]; then
  echo "WARNING: the soak will stop and start this machine's own RabbitMQ and PostgreSQL (use --private-services to avoid that)" >&2
fi

echo "soak seed=$seed minutes=$minutes workers=$workers (replay: $0 --seed $seed --minutes $minutes)"
result_dir=system-tests/target/soak
mkdir -p "$result_dir"
rm -f "$result_dir/result-$seed.txt"
maven_log="$result_dir/maven-$seed.log"

# -am builds (and packages) the services' jars the system tests start; -Dtest=none and
# -Dit.test=SoakSystemTests run nothing but the soak
set +e
./mvnw -B -pl system-tests -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SoakSystemTests -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dsoak.minutes="$minutes" -Dsoak.seed="$seed" -Dsoak.workers="$workers" -Dsoak.settleMinutes="$settle" \
  "${maven_args[@]}" 2>&1 | tee "$maven_log" | grep --line-buffered -E '^(soak |RESULT |\[ERROR\]|\[INFO\] (BUILD|Tests run|Reactor))'
maven_status=${PIPESTATUS[0]}
set -e

echo
if [ -f "$result_dir/result-$seed.txt" ]; then
  cat "$result_dir/result-$seed.txt"
  { ls -t "$result_dir"/soak-"$seed"-*.log 2>/dev/null || true; } | head -n1 | sed 's/^/event log: /'
  echo "maven log: $maven_log"
  if [ "$(wc -l < "$result_dir/result-$seed.txt")" -gt 1 ] || [ "$maven_status" -ne 0 ]; then
    echo "soak FAILED (seed $seed)" >&2
    exit 1
  fi
  echo "soak passed (seed $seed)"
else
  echo "the soak produced no result (seed $seed); see $maven_log" >&2
  exit 1
fi
