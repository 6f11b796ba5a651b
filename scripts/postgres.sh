#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL + PostGIS server on a loopback port, for the tests.
#   bash scripts/postgres.sh start   -> prints the database URL (BUURTKAART_TEST_POSTGRES_URL)
#   bash scripts/postgres.sh stop
# Runs the server as the `postgres` user (as Debian's packages set it up) in its own folder.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PGDATA=${BUURTKAART_PGDATA:-/tmp/buurtkaart-pg}
PGPORT=${BUURTKAART_PGPORT:-54329}
DB=buurtkaart_test
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres -- "$@"; fi
}

case "${1:-}" in
  start)
    if ! as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
      as_postgres rm -rf "$PGDATA" 2>/dev/null || rm -rf "$PGDATA"
      as_postgres mkdir -p "$PGDATA"
      as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
      as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
        -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k $PGDATA -c fsync=off" start >/dev/null
    fi
    as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 ||
      as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$DB"
    as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$DB" -qc "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null 2>&1
    echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/$DB"
    ;;
  stop)
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
