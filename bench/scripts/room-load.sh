#!/usr/bin/env bash
# Send throughput, steady-rate send latency and /messages latency on loopback against a throwaway Myelin, through the
# Client-Server API only (RoomLoad works against any homeserver with shared-secret registration). Build first:
#   ./mvnw -q -pl server,bench -am package -DskipTests
# Usage: bench/scripts/room-load.sh [senders=20] [seconds=20] [history=1000] [requests=500]
# Environment:
#   DB=sqlite|postgres   the database (postgres: a throwaway cluster, bench/scripts/lib/throwaway-postgres.sh,
#                        with PostgreSQL's default settings, so fsync and synchronous_commit are on)
# Synapse side by side: the same RoomLoad scenarios through bench/scripts/with-synapse.sh, e.g.
#   bench/scripts/with-synapse.sh sqlite java -cp bench/target/benchmarks.jar dev.myelin.bench.RoomLoad {BASE} {SECRET} steady 500 20 20 20
#   SCENARIOS            any of: send steady messages big (default: all four)
#   RATE=500 ROOMS=20    the steady scenario: RATE msg/s for `seconds`, `senders` users over ROOMS rooms
#   SEND_ROOMS=N         the send scenario also runs its senders spread over N rooms
#   SEND_WARMUP=0        the send scenario first sends SEND_WARMUP seconds into other rooms, not counted
#   WARMUP=10            the steady scenario first runs WARMUP seconds at RATE, not counted (JIT warm-up)
#   BIG=100000 LIMIT=100 the big scenario: a room filled with BIG messages before the server starts
#                        (RoomHistoryFill, the server's own pipeline), then `requests` /messages pages of LIMIT
#   JAR=server/target/myelin.jar   the server to measure (e.g. a copy of an older build, for before/after)
#   SERVER_JAVA_OPTS     extra JVM options for the server, e.g. -XX:StartFlightRecording=filename=/tmp/send.jfr
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/find-java.sh >/dev/null
source bench/scripts/lib/throwaway-postgres.sh
SENDERS=${1:-20}
SECONDS_PER_RUN=${2:-20}
HISTORY=${3:-1000}
REQUESTS=${4:-500}
DB=${DB:-sqlite}
SCENARIOS=${SCENARIOS:-send steady messages big}
RATE=${RATE:-500}
ROOMS=${ROOMS:-20}
WARMUP=${WARMUP:-10}
BIG=${BIG:-100000}
LIMIT=${LIMIT:-100}
JAR=${JAR:-server/target/myelin.jar}
PORT=${PORT:-18850}
BASE="http://127.0.0.1:$PORT"
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
BENCH=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar)
LOAD=("${BENCH[@]}" dev.myelin.bench.RoomLoad "$BASE" "$SECRET")
DIR=$(mktemp -d)
SERVER=
cleanup() {
    if [[ -n $SERVER ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    stop_postgres
    rm -rf "$DIR"
}
trap cleanup EXIT
has() { [[ " $SCENARIOS " == *" $1 "* ]]; }

DATABASE_ARGS=()
FILL_TARGET="$DIR/myelin.db"
if [ "$DB" = postgres ]; then
    PGPORT=$((PORT + 1))
    start_postgres "$DIR" "$PGPORT" durable
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U myelin myelin
    URL="jdbc:postgresql://127.0.0.1:$PGPORT/myelin"
    DATABASE_ARGS=(--set database.kind=postgres --set database.url="$URL" --set database.user=myelin
        --set database.max_pool_size=20)
    FILL_TARGET=$URL
fi

echo "machine: $(nproc) cores, database: $DB, server: $JAR, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if has big; then
    PGUSER=myelin "${BENCH[@]}" dev.myelin.bench.RoomHistoryFill "$FILL_TARGET" load.local "$BIG" > "$DIR/fill.log" 2>&1
    grep '^filled' "$DIR/fill.log"
    BIG_ROOM=$(grep '^!' "$DIR/fill.log" | tail -1)
fi

# shellcheck disable=SC2086 # SERVER_JAVA_OPTS is a list of options
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -Xms16m \
    ${SERVER_JAVA_OPTS:-} -jar "$JAR" --data-dir "$DIR" "${DATABASE_ARGS[@]}" \
    --server-name load.local --port "$PORT" --set listeners.0.bind_address=127.0.0.1 \
    --set registration_shared_secret="$SECRET" --set rate_limits.registration.per_second=0 \
    --set log_level=warn > "$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 150); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done

if has send; then "${LOAD[@]}" send "$SENDERS" "$SECONDS_PER_RUN" "${SEND_ROOMS:-0}" "${SEND_WARMUP:-0}"; fi
if has steady; then "${LOAD[@]}" steady "$RATE" "$SECONDS_PER_RUN" "$SENDERS" "$ROOMS" "$WARMUP"; fi
if has messages; then "${LOAD[@]}" messages "$HISTORY" "$REQUESTS"; fi
if has big; then "${LOAD[@]}" messages-in "$BIG_ROOM" "$REQUESTS" "$LIMIT"; fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
