#!/usr/bin/env bash
# Runs a command against a throwaway Synapse, so that a load generator that speaks only the Client-Server API
# (RoomLoad, SyncLoad) measures Synapse side by side with Myelin on the same machine. Synapse runs as shipped
# (one process, no workers) from the interop venv (interop/synapse/install.sh, or $SYNAPSE_VENV), plain HTTP on
# loopback, log level WARNING, with only its rate limits lifted; on SQLite, or on a throwaway PostgreSQL cluster
# with PostgreSQL's default (durable) settings.
# Usage: bench/scripts/with-synapse.sh sqlite|postgres COMMAND [ARGS...]
#   COMMAND sees SYNAPSE_BASE (its base URL), SYNAPSE_SECRET (its registration shared secret) and SYNAPSE_PID; any argument
#   that is exactly {BASE} or {SECRET} is replaced by them. Example:
#   bench/scripts/with-synapse.sh sqlite java -cp bench/target/benchmarks.jar dev.myelin.bench.RoomLoad {BASE} {SECRET} send 20 15
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/scripts/lib/throwaway-postgres.sh
DB=${1:?usage: with-synapse.sh sqlite|postgres COMMAND [ARGS...]}
shift
VENV=${SYNAPSE_VENV:-interop/synapse/.venv}
[[ -x $VENV/bin/python ]] || SYNAPSE_VENV=$VENV interop/synapse/install.sh
PYTHON=$VENV/bin/python
PORT=${SYNAPSE_PORT:-18830}
DIR=$(mktemp -d)
SYNAPSE=
cleanup() {
    if [[ -n $SYNAPSE ]]; then kill "$SYNAPSE" 2>/dev/null || true; wait "$SYNAPSE" 2>/dev/null || true; fi
    stop_postgres
    rm -rf "$DIR"
}
trap cleanup EXIT

if [[ $DB == postgres ]]; then
    "$PYTHON" -c "import psycopg2" 2>/dev/null \
        || "$PYTHON" -m pip install --quiet --disable-pip-version-check psycopg2-binary
    start_postgres "$DIR" $((PORT + 1)) durable
    "$PG_BIN/createdb" -h 127.0.0.1 -p $((PORT + 1)) -U myelin synapse
    DATABASE="database:
  name: psycopg2
  args: {user: myelin, database: synapse, host: 127.0.0.1, port: $((PORT + 1)), cp_min: 5, cp_max: 10}"
else
    DATABASE="database:
  name: sqlite3
  args: {database: \"$DIR/homeserver.db\"}"
fi

SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
UNLIMITED="{per_second: 100000, burst_count: 100000}"
cat > "$DIR/homeserver.yaml" <<YAML
server_name: "synapse.bench"
pid_file: "$DIR/homeserver.pid"
listeners:
  - {port: $PORT, bind_addresses: ["127.0.0.1"], type: http, tls: false, x_forwarded: false,
     resources: [{names: [client], compress: false}]}
$DATABASE
log_config: "$DIR/log.yaml"
media_store_path: "$DIR/media_store"
signing_key_path: "$DIR/signing.key"
registration_shared_secret: "$SECRET"
macaroon_secret_key: "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
form_secret: "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
report_stats: false
# open registration (m.login.dummy) for load generators that register that way (SyncLoad)
enable_registration: true
enable_registration_without_verification: true
trusted_key_servers: []
suppress_key_server_warning: true
rc_message: $UNLIMITED
rc_registration: $UNLIMITED
rc_room_creation: $UNLIMITED
rc_login: {address: $UNLIMITED, account: $UNLIMITED, failed_attempts: $UNLIMITED}
rc_joins: {local: $UNLIMITED, remote: $UNLIMITED}
rc_joins_per_room: $UNLIMITED
rc_invites: {per_room: $UNLIMITED, per_user: $UNLIMITED, per_issuer: $UNLIMITED}
YAML
cat > "$DIR/log.yaml" <<YAML
version: 1
formatters: {precise: {format: "%(asctime)s %(name)s %(levelname)s %(message)s"}}
handlers: {file: {class: logging.FileHandler, formatter: precise, filename: "$DIR/homeserver.log"}}
root: {level: WARNING, handlers: [file]}
disable_existing_loggers: false
YAML
"$PYTHON" -m synapse.app.homeserver -c "$DIR/homeserver.yaml" --generate-keys >/dev/null 2>&1
"$PYTHON" -m synapse.app.homeserver -c "$DIR/homeserver.yaml" > "$DIR/stdout.log" 2>&1 &
SYNAPSE=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 600); do
    curl -sf "$BASE/health" >/dev/null && break
    kill -0 "$SYNAPSE" 2>/dev/null || { tail -40 "$DIR/stdout.log" "$DIR/homeserver.log" >&2; exit 1; }
    sleep 0.2
done
echo "Synapse $("$PYTHON" -c 'import synapse; print(synapse.__version__)') on $DB at $BASE;" \
    "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
COMMAND=()
for arg in "$@"; do
    case $arg in {BASE}) COMMAND+=("$BASE") ;; {SECRET}) COMMAND+=("$SECRET") ;; *) COMMAND+=("$arg") ;; esac
done
SYNAPSE_BASE=$BASE SYNAPSE_SECRET=$SECRET SYNAPSE_PID=$SYNAPSE "${COMMAND[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
