#!/usr/bin/env bash
# Cold start and idle footprint of the default launcher.
#   bench/scripts/startup-footprint.sh [runs]
# For each run: a fresh data folder, ./myelin started, the time until GET /_matrix/client/versions
# first answers 200 (polled every 5 ms), then the resident memory (VmRSS) after 10 s idle.
# The first run after a build records the AOT cache (written when it stops), so it is reported apart.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${1:-5}"
PORT=18448
source "$ROOT/scripts/find-java.sh"
(cd "$ROOT" && ./mvnw -q -B -pl server -am package -DskipTests)

now_ms() { date +%s%3N; }

for run in $(seq 0 "$RUNS"); do
    dir="$(mktemp -d)"
    start=$(now_ms)
    "$ROOT/myelin" --data-dir "$dir" --port "$PORT" --set listeners.0.bind_address=127.0.0.1 >"$dir/log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$PORT/_matrix/client/versions"; do
        sleep 0.005
        if ! kill -0 "$pid" 2>/dev/null; then cat "$dir/log"; exit 1; fi
    done
    ready=$(( $(now_ms) - start ))
    sleep 10
    rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"
    wait "$pid" || true
    label="run $run"
    [[ $run == 0 ]] && label="run 0 (records the AOT cache)"
    echo "$label: first answer after ${ready} ms, idle RSS $(( rss_kb / 1024 )) MB"
    rm -rf "$dir"
done
