# Sourced by the bench scripts: a throwaway PostgreSQL cluster in a folder, on loopback only.
#   start_postgres DIR PORT [durable|fast]   initdb + postgres, waits until it accepts connections; superuser
#                                            "myelin", trust auth. "fast" turns fsync and synchronous commit off
#                                            (as the tests do); "durable" (the default) keeps PostgreSQL's defaults.
#                                            POSTGRES_OPTIONS adds server options, e.g. "-c shared_buffers=256MB".
#   stop_postgres                            fast shutdown; the caller removes DIR.
# PostgreSQL refuses to run as root, so as root it runs as the postgres user.
PG_PID=
start_postgres() {
    local dir=$1 port=$2 mode=${3:-durable}
    PG_BIN=${MYELIN_TEST_POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
    local as=()
    if [[ $(id -u) == 0 ]]; then
        chown postgres: "$dir"
        as=(setpriv --reuid=postgres --regid=postgres --clear-groups --)
    fi
    local settings=(-c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200)
    if [[ $mode == fast ]]; then
        settings+=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
    fi
    # shellcheck disable=SC2206 # a list of options
    settings+=(${POSTGRES_OPTIONS:-})
    "${as[@]}" "$PG_BIN/initdb" -D "$dir/pgdata" -U myelin -A trust -E UTF8 --locale=C --no-sync >/dev/null
    "${as[@]}" "$PG_BIN/postgres" -D "$dir/pgdata" -p "$port" "${settings[@]}" > "$dir/postgres.log" 2>&1 &
    PG_PID=$!
    for _ in $(seq 150); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && return 0; sleep 0.2; done
    echo "PostgreSQL did not start: $(cat "$dir/postgres.log")" >&2
    return 1
}
stop_postgres() {
    if [[ -n $PG_PID ]]; then
        kill -INT "$PG_PID" 2>/dev/null || true
        wait "$PG_PID" 2>/dev/null || true
        PG_PID=
    fi
}
