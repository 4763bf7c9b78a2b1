#!/usr/bin/env bash
# /sync figures on loopback against a throwaway Myelin (SQLite): parked long-polls and the server's memory, delivery
# latency with active clients, and the initial sync of an account in many rooms. Build first:
#   ./mvnw -q -pl server,bench -am package -DskipTests
# Usage: bench/scripts/sync-load.sh [parked=5000] [latency-clients=100] [rooms=200] [events=50]
# The server runs through the launcher (./myelin, its default JVM flags and heap). SERVER_JAR=path runs that jar
# instead, with SERVER_JAVA_OPTS, to measure an older build under the same conditions. PHASES picks the phases
# in order (default ilp: i initial sync, l delivery latency, p parked long-polls; e.g. PHASES=ill repeats the latency
# phase on the warmed server). The latency phase also prints the server's CPU time per delivery (user + system), over
# the whole phase and over the counted sends only (without the set-up's registrations and the warm-up). Each pair
# starts sending at its own random point of the 200-ms period, as independent clients would; SEND_TIMING=together
# makes every pair send at the same moments instead (a burst of half the clients five times a second; sessions 4-8
# measured that way).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/find-java.sh >/dev/null
PARKED=${1:-5000}
CLIENTS=${2:-100}
ROOMS=${3:-200}
EVENTS=${4:-50}
PORT=${PORT:-18809}
PHASES=${PHASES:-ilp}
BASE="http://127.0.0.1:$PORT"
LOAD=("$JAVA_HOME/bin/java" -cp "${LOAD_JAR:-bench/target/benchmarks.jar}" dev.myelin.bench.SyncLoad "$BASE")
DIR=$(mktemp -d)
if [[ -n "${SERVER_JAR:-}" ]]; then
    # shellcheck disable=SC2086
    SERVE=("$JAVA_HOME/bin/java" ${SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR")
else
    SERVE=(./myelin)
fi
"${SERVE[@]}" --data-dir "$DIR" \
    --server-name load.local --port "$PORT" --set listeners.0.bind_address=127.0.0.1 --set registration.mode=open \
    --set rate_limits.registration.per_second=0 \
    --set log_level=warn > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 600); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$SERVER/status"; }
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg); server RSS idle: $(rss)"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
for ((phase = 0; phase < ${#PHASES}; phase++)); do
    case ${PHASES:phase:1} in
    i)
        echo "== initial sync: $ROOMS rooms x $EVENTS events"
        "${LOAD[@]}" initial "$ROOMS" "$EVENTS"
        ;;
    l)
        echo "== delivery latency: $CLIENTS clients"
        before=$(cpu_ticks)
        "${LOAD[@]}" latency "$CLIENTS" 30 "${SEND_TIMING:-spread}" | while read -r line; do
            case $line in
                MEASURING) cpu_ticks > "$DIR/measuring" ;;
                MEASURED) cpu_ticks > "$DIR/measured" ;;
                *) echo "$line" ;;
            esac
        done | tee "$DIR/latency.out"
        deliveries=$(grep -o 'over [0-9]*' "$DIR/latency.out" | cut -d' ' -f2)
        per_delivery() { # label ticks
            awk -v label="$1" -v ticks="$2" -v hz="$(getconf CLK_TCK)" -v n="$deliveries" \
                'BEGIN { printf "server CPU %s: %.1f s, %.2f ms per delivery\n", label, ticks / hz, 1000 * ticks / hz / n }'
        }
        per_delivery "during the phase" $(($(cpu_ticks) - before))
        # Without the set-up (registrations hash passwords) and warm-up: the sends that were counted.
        per_delivery "over the counted sends" $(($(cat "$DIR/measured") - $(cat "$DIR/measuring")))
        ;;
    p)
        echo "== $PARKED parked long-polls"
        "${LOAD[@]}" park "$PARKED" | while read -r line; do
            echo "$line"
            if [[ $line == PARKED* ]]; then echo "server RSS with $PARKED parked: $(rss)"; fi
        done
        ;;
    esac
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
