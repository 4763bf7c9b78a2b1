#!/usr/bin/env bash
# Send throughput and /messages latency on loopback against a throwaway Myelin (SQLite), through the Client-Server
# API only (RoomLoad works against any homeserver with shared-secret registration). Build first:
#   ./mvnw -q -pl server,bench -am package -DskipTests
# Usage: bench/scripts/room-load.sh [senders=20] [seconds=20] [history=1000] [requests=500]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/find-java.sh >/dev/null
SENDERS=${1:-20}
SECONDS_PER_RUN=${2:-20}
HISTORY=${3:-1000}
REQUESTS=${4:-500}
PORT=${PORT:-18810}
BASE="http://127.0.0.1:$PORT"
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
LOAD=("$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar dev.myelin.bench.RoomLoad "$BASE" "$SECRET")
DIR=$(mktemp -d)
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -Xms16m \
    -jar server/target/myelin.jar --data-dir "$DIR" \
    --server-name load.local --port "$PORT" --set listeners.0.bind_address=127.0.0.1 \
    --set registration_shared_secret="$SECRET" --set rate_limits.registration.per_second=0 \
    --set log_level=warn > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"${LOAD[@]}" send "$SENDERS" "$SECONDS_PER_RUN"
"${LOAD[@]}" messages "$HISTORY" "$REQUESTS"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
