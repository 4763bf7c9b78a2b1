#!/usr/bin/env bash
# Search and user directory latency (FeatureSearchLatency) on SQLite, or on a throwaway PostgreSQL cluster made
# with initdb in a temp folder (fsync off, loopback only), as the tests' harness does. Build first:
#   ./mvnw -q -pl server,bench -am package -DskipTests
# Usage: bench/scripts/search-latency.sh sqlite|postgres [messages=1000000] [users=100000] [queries=100]
# JAR=path/to/benchmarks.jar runs another build of the bench (to measure before and after a change).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/find-java.sh >/dev/null
DB=${1:-sqlite}
ARGS=("${2:-1000000}" "${3:-100000}" "${4:-100}")
RUN=("$JAVA_HOME/bin/java" -cp "${JAR:-bench/target/benchmarks.jar}" dev.myelin.bench.FeatureSearchLatency)
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg), database: $DB"
if [[ $DB == postgres ]]; then
    BIN=${MYELIN_TEST_POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
    DIR=$(mktemp -d)
    AS=()
    if [[ $(id -u) == 0 ]]; then # PostgreSQL refuses to run as root
        chown postgres: "$DIR"
        AS=(setpriv --reuid=postgres --regid=postgres --clear-groups --)
    fi
    PORT=${PGPORT:-15439}
    "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U myelin -A trust -E UTF8 --locale=C --no-sync >/dev/null
    "${AS[@]}" "$BIN/postgres" -D "$DIR/data" -p "$PORT" -c listen_addresses=127.0.0.1 -c unix_socket_directories= \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off > "$DIR/postgres.log" 2>&1 &
    PG=$!
    trap 'kill -INT $PG 2>/dev/null; wait $PG 2>/dev/null; rm -rf "$DIR"' EXIT
    for _ in $(seq 150); do "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break; sleep 0.2; done
    ARGS+=("jdbc:postgresql://127.0.0.1:$PORT/postgres" myelin "")
fi
"${RUN[@]}" "${ARGS[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
