#!/usr/bin/env bash
# The private PostGIS cluster under var/pg: `ensure` starts it (initdb on first use),
# creates the database and prints its SQLAlchemy URL; `stop` stops it; `url` prints the URL.
# It listens on its unix socket (used by the app) and on 127.0.0.1 with the
# password in var/pg/password (for tools such as QGIS or psql -h 127.0.0.1).
# With GRID_DATABASE_URL set nothing is started: that server is used as it is.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${GRID_PG_BIN:-/usr/lib/postgresql/15/bin}
PORT=${GRID_PG_PORT:-5433}
DBNAME=${GRID_PG_DATABASE:-grid}
PGDIR=$ROOT/var/pg

# The cluster's own paths, through the var/pg link when there is one (postgres
# may not be able to traverse the clone's path itself).
set_paths() {
  local real=$PGDIR
  [ -e "$PGDIR" ] && real=$(readlink -f "$PGDIR")
  DATA=$real/data; SOCK=$real/run; LOG=$real/postgres.log; PWFILE=$real/password
}
set_paths

is_root() { [ "$(id -u)" = 0 ]; }
# initdb and postgres refuse to run as root.
as_pg() { if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

url() { echo "postgresql+psycopg://postgres@/$DBNAME?host=$SOCK&port=$PORT"; }

prepare_dirs() {
  mkdir -p "$ROOT/var"
  if [ -e "$PGDIR" ]; then return; fi
  mkdir -p "$PGDIR"
  if is_root; then
    chown postgres: "$PGDIR"
    # postgres must traverse every parent of its data directory; a clone under a
    # root-only directory cannot, so keep the cluster in /var/tmp and link it here.
    if ! runuser -u postgres -- test -w "$PGDIR"; then
      rmdir "$PGDIR"
      local alt
      alt=/var/tmp/grid-pg-$(printf %s "$ROOT" | md5sum | cut -c1-10)
      mkdir -p "$alt" && chown postgres: "$alt"
      ln -s "$alt" "$PGDIR"
      echo "db: $ROOT is not readable by the postgres user; cluster kept in $alt" >&2
    fi
  fi
}

ensure() {
  if [ -n "${GRID_DATABASE_URL:-}" ]; then echo "$GRID_DATABASE_URL"; return; fi
  [ -x "$PGBIN/initdb" ] || { echo "db: PostgreSQL 15 not found in $PGBIN (install postgresql-15-postgis-3)" >&2; exit 1; }
  prepare_dirs
  set_paths
  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_pg mkdir -p "$DATA" "$SOCK"
    # The socket (mode 0700: only this user and root) trusts; TCP on 127.0.0.1
    # asks for the generated password, so other local users get nothing.
    as_pg sh -c "umask 077; head -c 18 /dev/urandom | base64 > '$PWFILE'"
    as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$PWFILE" --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_pg mkdir -p "$SOCK"
  if ! as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    if ! as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w \
        -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700" start >/dev/null; then
      echo "db: the cluster did not start (is port $PORT taken? set GRID_PG_PORT). Log:" >&2
      tail -5 "$LOG" >&2; exit 1
    fi
  fi
  local psql=("$PGBIN/psql" -h "$SOCK" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ -z "$("${psql[@]}" -d postgres -c "select 1 from pg_database where datname = '$DBNAME'")" ]; then
    "${psql[@]}" -d postgres -c "create database \"$DBNAME\"" >/dev/null
  fi
  url
}

stop() {
  if [ -f "$DATA/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null && echo "db: stopped"
  else
    echo "db: not running"
  fi
}

case "${1:-}" in
  ensure) ensure ;;
  stop) stop ;;
  url) if [ -n "${GRID_DATABASE_URL:-}" ]; then echo "$GRID_DATABASE_URL"; else url; fi ;;
  *) echo "usage: $0 ensure|stop|url" >&2; exit 2 ;;
esac
