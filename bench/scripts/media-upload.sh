#!/usr/bin/env bash
# Upload throughput of one large file over loopback (docs/BENCHMARKS.md, Media): starts a throw-away server from
# JAR with a 128 MB heap, registers a user, uploads a SIZE_MB file of random bytes RUNS times with curl and prints
# each upload's MB/s (curl's average upload speed), the load average around the runs, and the server's heap after GC.
#   bench/scripts/media-upload.sh [JAR] [SIZE_MB] [RUNS]      (JAR defaults to server/target/myelin.jar)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="${1:-$ROOT/server/target/myelin.jar}"
SIZE_MB="${2:-100}"
RUNS="${3:-5}"
source "$ROOT/scripts/find-java.sh" >/dev/null
DIR="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
head -c "$((SIZE_MB << 20))" /dev/urandom > "$DIR/big.bin"
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx128m --enable-native-access=ALL-UNNAMED -jar "$JAR" serve \
    --data-dir "$DIR/data" --server-name localhost --port "$PORT" --set registration.mode=open \
    --set "media.max_upload_size=$((SIZE_MB + 10))M" --set media.thumbnail_sizes=[] >"$DIR/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do curl -sf "$BASE/_matrix/client/versions" >/dev/null && break; sleep 0.5; done
SESSION="$(curl -s -XPOST "$BASE/_matrix/client/v3/register" -d '{"username":"bench","password":"bench-password-1"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["session"])')"
TOKEN="$(curl -s -XPOST "$BASE/_matrix/client/v3/register" \
    -d "{\"username\":\"bench\",\"password\":\"bench-password-1\",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"$SESSION\"}}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$RUNS"); do
    # Each run changes the first byte, so no upload is a duplicate of an earlier one.
    printf "\\x$(printf %02x "$i")" | dd of="$DIR/big.bin" bs=1 count=1 conv=notrunc status=none
    curl -s -o /dev/null -w "%{http_code} %{speed_upload}\n" -XPOST -H "Authorization: Bearer $TOKEN" \
        -H "Content-Type: application/octet-stream" --data-binary "@$DIR/big.bin" "$BASE/_matrix/media/v3/upload" \
        | awk -v i="$i" '{ printf "upload %d: HTTP %s, %.0f MB/s\n", i, $1, $2 / 1048576 }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA_HOME/bin/jcmd" "$PID" GC.run >/dev/null 2>&1 || true
"$JAVA_HOME/bin/jcmd" "$PID" GC.heap_info 2>/dev/null | grep -E "used" | head -2 || true
