#!/usr/bin/env bash
# Account endpoint throughput on loopback: whoami (cached access token lookup) and password logins (Argon2id verify
# plus one device write). Starts a throwaway Myelin from server/target/myelin.jar (build it first:
# ./mvnw -q -pl server -am package -DskipTests), registers a user, runs wrk, stops the server.
# Usage: bench/scripts/accounts-load.sh [seconds] [whoami-connections] [login-connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/find-java.sh >/dev/null
SECONDS_EACH=${1:-20}
WHOAMI_CONNECTIONS=${2:-64}
LOGIN_CONNECTIONS=${3:-4}
PORT=${PORT:-18808}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
DIR=$(mktemp -d)
"$JAVA_HOME/bin/java" -XX:+UseCompactObjectHeaders -jar server/target/myelin.jar --data-dir "$DIR" \
    --server-name load.local --port "$PORT" --set listeners.0.bind_address=127.0.0.1 --set registration.mode=open \
    --set rate_limits.login.per_second=0 --set rate_limits.registration.per_second=0 --set log_level=warn \
    > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -sf -XPOST "http://127.0.0.1:$PORT/_matrix/client/v3/register" \
    -d '{"username":"wrk1","password":"load-password-1","auth":{"type":"m.login.dummy"}}' \
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# Warm up the JIT, then measure.
wrk -t1 -c"$WHOAMI_CONNECTIONS" -d5s -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/_matrix/client/v3/account/whoami" >/dev/null
echo "== whoami, $WHOAMI_CONNECTIONS connections, ${SECONDS_EACH}s"
wrk -t1 -c"$WHOAMI_CONNECTIONS" -d"${SECONDS_EACH}s" -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/_matrix/client/v3/account/whoami"
echo "load after whoami: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== password login, 1 connection (latency), 10s"
wrk -t1 -c1 -d10s -s bench/scripts/login.lua "http://127.0.0.1:$PORT" -- wrk1 load-password-1 | grep -E "Latency|Requests/sec"
echo "== password login, $LOGIN_CONNECTIONS connections, ${SECONDS_EACH}s"
wrk -t1 -c"$LOGIN_CONNECTIONS" -d"${SECONDS_EACH}s" -s bench/scripts/login.lua "http://127.0.0.1:$PORT" -- wrk1 load-password-1
echo "load after login: $(cut -d' ' -f1-3 /proc/loadavg)"
