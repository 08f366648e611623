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
# TLS, as a fleet's database should be reached: a test-only CA and a certificate for 127.0.0.1,
# beside the data folder (which PostgreSQL keeps closed).
tls="$data-tls"
ca="$tls/test-only-ca.pem"
if [ ! -f "$tls/test-only-server.key" ]; then
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=test-only PostgreSQL CA" \
    -keyout "$tls/test-only-ca.key" -out "$ca" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$tls/test-only-server.key" -out "$tls/test-only-server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/test-only-server.ext"
  openssl x509 -req -in "$tls/test-only-server.csr" -CA "$ca" -CAkey "$tls/test-only-ca.key" -CAcreateserial \
    -days 3650 -extfile "$tls/test-only-server.ext" -out "$tls/test-only-server.pem" 2>/dev/null
  chmod 600 "$tls/test-only-server.key" "$tls/test-only-ca.key"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$tls/test-only-server.key" "$tls/test-only-server.pem"
  # A server started before TLS was set up is restarted with it.
  run "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
fi
if ! run "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  options="-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=on -c max_connections=300"
  options="$options -c ssl=on -c ssl_cert_file=$tls/test-only-server.pem -c ssl_key_file=$tls/test-only-server.key"
  run "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -o "$options" start >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=verify-full&sslrootcert=$ca"
