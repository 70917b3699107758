#!/usr/bin/env bash
# PgBouncer in transaction pooling on 127.0.0.1:<port> in front of the PostgreSQL on
# 127.0.0.1:<pg_port>, in the foreground, its configuration written to <dir>. PgBouncer refuses
# to run as root: its files and its process are the postgres user's (setpriv execs it, so this
# script's PID becomes PgBouncer's).
#   deploy/local/pgbouncer.sh <dir> <port> <pg_port> [pool_size]
set -euo pipefail

dir="$1" port="$2" pg_port="$3" pool_size="${4:-20}"
mkdir -p "$dir"
chmod 755 "$dir"
# The local cluster trusts loopback; PgBouncer still wants its users listed.
printf '"postgres" ""\n' >"$dir/pgbouncer-users.txt"
cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$pg_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/pgbouncer-users.txt
pool_mode = transaction
default_pool_size = $pool_size
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits,options
server_reset_query =
INI
exec setpriv --reuid=postgres --regid=postgres --init-groups /usr/sbin/pgbouncer "$dir/pgbouncer.ini"
