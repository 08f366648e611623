#!/usr/bin/env bash
# Starts a private PostgreSQL server for the tests (Debian's packages; data under /tmp),
# and prints the URL for CITIZEN_CENTRAL_TEST_POSTGRES. Safe to run again: reuses a running one.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${CITIZEN_TEST_POSTGRES_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "test-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
# Under /tmp: the postgres user must reach it, and a home folder may be closed to it.
data="${TMPDIR:-/tmp}/citizen-window-test-postgres-$port"
run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$data"
  run "$bin/initdb" -D "$data" --auth=trust --username=postgres --encoding=UTF8 >/dev/null
fi
if ! run "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  run "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=on -c max_connections=300" start >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
