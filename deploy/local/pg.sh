#!/usr/bin/env bash
# A project-local PostgreSQL 15 cluster under .local/ (git-ignored), run by the postgres user.
#   deploy/local/pg.sh start [NAME] [PORT]   init if needed, start; prints the admin URL
#   deploy/local/pg.sh stop  [NAME]
#   deploy/local/pg.sh status [NAME]
# The cluster trusts local connections: it is for development and tests on loopback only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin=/usr/lib/postgresql/15/bin
action="${1:?usage: pg.sh start|stop|status [NAME] [PORT]}"
name="${2:-dev}"
port="${3:-}"
dir="$root/.local/pg-$name"
data="$dir/data"

# PostgreSQL refuses to run as root; the postgres user (made by the package) runs it.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    # The postgres user must be able to reach the folder: add the search (x) bit to any
    # folder on the way that lacks it (a clone under /root, say). Nothing is made readable.
    if [ "$(id -u)" = 0 ]; then
      d="$dir"
      while [ "$d" != "/" ]; do
        d="$(dirname "$d")"
        runuser -u postgres -- test -x "$d" 2>/dev/null || chmod o+x "$d"
      done
    fi
    if [ ! -f "$data/PG_VERSION" ] && [ -z "$port" ]; then
      # A new cluster takes the first free loopback port from 55432 on.
      port=55432
      while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
      cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 256MB
fsync = ${PG_FSYNC:-on}
log_min_messages = warning
CONF
    fi
    # An explicit port moves an existing cluster there (the last `port =` line wins).
    # Compare with the last line, not any line: an older line for this port may be followed
    # by one for another.
    if [ -n "$port" ] && [ "$(sed -n 's/^port = //p' "$data/postgresql.conf" | tail -n1)" != "$port" ]; then
      echo "port = $port" >>"$data/postgresql.conf"
      as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1 &&
        as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null
    fi
    port="$(sed -n 's/^port = //p' "$data/postgresql.conf" | tail -n1)"
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ]; then
      as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  status)
    as_pg "$bin/pg_ctl" -D "$data" status
    ;;
  *)
    echo "usage: pg.sh start|stop|status [NAME] [PORT]" >&2
    exit 2
    ;;
esac
