#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL: initdb in a temporary folder, a server on a
# free loopback port, DATABASE_URL exported for the command, and the server stopped and the
# folder removed afterwards whatever the command's outcome.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "with-postgres: PostgreSQL is not installed (run scripts/ensure-system-deps.sh)" >&2
  exit 2
fi
port=${ANXIN_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
tmp=$(mktemp -d /tmp/anxin-pg.XXXXXX)
chmod 755 "$tmp"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: run it as the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$tmp" postgres
  chown postgres "$tmp"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$tmp/data" -U anxin --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -o \
  "-h 127.0.0.1 -p $port -k $tmp -c max_connections=200 -c shared_buffers=256MB -c fsync=${ANXIN_PG_FSYNC:-on}" start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U anxin anxin
export DATABASE_URL="postgres://anxin@127.0.0.1:$port/anxin"
export ANXIN_PG_BINDIR="$bindir"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
