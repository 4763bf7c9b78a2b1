#!/usr/bin/env bash
# Parks N long-poll /sync requests on the Synapse that with-synapse.sh started and prints its RSS while they wait,
# the Synapse side of sync-load.sh's parked figure. Build first: ./mvnw -q -pl server,bench -am package -DskipTests
# Usage: bench/scripts/with-synapse.sh sqlite bench/scripts/synapse-parked-rss.sh [parked=5000]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/find-java.sh >/dev/null
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar dev.myelin.bench.SyncLoad "$SYNAPSE_BASE" park "${1:-5000}" > "$OUT" 2>&1 &
LOAD=$!
for _ in $(seq 900); do grep -q PARKED "$OUT" && break; sleep 1; done
cat "$OUT"
echo "Synapse RSS with the long-polls parked: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$SYNAPSE_PID/status")"
wait $LOAD
