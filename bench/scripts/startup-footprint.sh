#!/usr/bin/env bash
# Cold start and idle footprint of the default launcher.
#   bench/scripts/startup-footprint.sh [runs]
# Each run starts ./myelin twice: first on a fresh data folder (config, key and database created,
# migrations applied), then again on the same folder (a restart). It reports the time from launch
# until GET /_matrix/client/versions first answers 200 (polled every 5 ms), and the resident
# memory (VmRSS) after 10 s idle. The launcher records its AOT cache before the first run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${1:-5}"
PORT=18448
source "$ROOT/scripts/find-java.sh"
(cd "$ROOT" && ./mvnw -q -B -pl server -am package -DskipTests)
"$ROOT/myelin" --help >/dev/null 2>&1   # builds the AOT cache if missing

now_ms() { date +%s%3N; }

# start_and_measure DIR LABEL
start_and_measure() {
    local dir="$1" label="$2" start pid ready rss_kb
    start=$(now_ms)
    "$ROOT/myelin" --data-dir "$dir" --port "$PORT" --set listeners.0.bind_address=127.0.0.1 >>"$dir.log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$PORT/_matrix/client/versions"; do
        sleep 0.005
        if ! kill -0 "$pid" 2>/dev/null; then cat "$dir.log"; exit 1; fi
    done
    ready=$(( $(now_ms) - start ))
    sleep 10
    rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"
    wait "$pid" || true
    echo "$label: first answer after ${ready} ms, idle RSS $(( rss_kb / 1024 )) MB"
}

for run in $(seq 1 "$RUNS"); do
    dir="$(mktemp -d)"
    start_and_measure "$dir" "run $run, first start"
    start_and_measure "$dir" "run $run, restart    "
    rm -rf "$dir" "$dir.log"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
