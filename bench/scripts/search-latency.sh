#!/usr/bin/env bash
# Search and user directory latency (FeatureSearchLatency) on SQLite, or on a throwaway PostgreSQL cluster
# (lib/throwaway-postgres.sh, "fast": fsync off, as the tests run it). Build first:
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
    source bench/scripts/lib/throwaway-postgres.sh
    DIR=$(mktemp -d)
    PORT=${PGPORT:-15439}
    trap 'stop_postgres; rm -rf "$DIR"' EXIT
    start_postgres "$DIR" "$PORT" fast
    ARGS+=("jdbc:postgresql://127.0.0.1:$PORT/postgres" myelin "")
fi
"${RUN[@]}" "${ARGS[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
