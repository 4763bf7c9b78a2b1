#!/usr/bin/env bash
# Application service delivery on loopback against a throwaway Myelin (SQLite): the same sends into one room, first
# with no application service registered (baseline), then with one whose virtual user is in the room; AppServiceLoad
# plays the application service and reports send rate and latency, transaction lag after send, and drain time.
# Build first:
#   ./mvnw -q -pl server,bench -am package -DskipTests
# Usage: bench/scripts/appservice-load.sh [senders=10] [seconds=15]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/find-java.sh >/dev/null
SENDERS=${1:-10}
SECONDS_PER_RUN=${2:-15}
PORT=${PORT:-18830}
AS_PORT=${AS_PORT:-18831}
BASE="http://127.0.0.1:$PORT"
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
AS_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
HS_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
DIR=$(mktemp -d)
cat > "$DIR/load-bridge.yaml" <<YAML
id: load-bridge
url: "http://127.0.0.1:$AS_PORT"
as_token: $AS_TOKEN
hs_token: $HS_TOKEN
sender_localpart: _load_bot
rate_limited: false
namespaces:
  users:
    - exclusive: true
      regex: "@_load_.*"
YAML
SERVER=
stop_server() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; fi; }
trap 'stop_server; rm -rf "$DIR"' EXIT
start_server() {
    rm -rf "$DIR/data"
    "$JAVA_HOME/bin/java" -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Xms16m -jar server/target/myelin.jar \
        --data-dir "$DIR/data" --server-name load.local --port "$PORT" --set listeners.0.bind_address=127.0.0.1 \
        --set registration_shared_secret="$SECRET" --set rate_limits.registration.per_second=0 \
        --set log_level=warn "$@" > "$DIR/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 100); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done
}
LOAD=("$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar dev.myelin.bench.AppServiceLoad "$BASE" "$SECRET")
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "-- baseline: no application service"
start_server
"${LOAD[@]}" 0 "$AS_TOKEN" "$HS_TOKEN" "$SENDERS" "$SECONDS_PER_RUN"
stop_server
echo "-- with an application service interested in the room"
start_server --set "app_service_config_files=[\"$DIR/load-bridge.yaml\"]"
"${LOAD[@]}" "$AS_PORT" "$AS_TOKEN" "$HS_TOKEN" "$SENDERS" "$SECONDS_PER_RUN"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
