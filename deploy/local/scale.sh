#!/usr/bin/env bash
# keel as a deployment with several instances, on this machine: HAProxy on :8080 in front of two
# keel-api processes, PgBouncer (transaction pooling) in front of a project-local PostgreSQL,
# one Redis, two keel-workers (one woken by LISTEN past PgBouncer, one polling). No Docker.
# Ctrl-C stops all of it. Logs are in .local/scale/.
#   deploy/local/scale.sh                      build (debug preset) and run
#   PRESET=release deploy/local/scale.sh       the release build
#   KEEL_SCALE_PORT=9090 deploy/local/scale.sh HAProxy's port
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
preset="${PRESET:-debug}"
lb_port="${KEEL_SCALE_PORT:-8080}"
dir="$root/.local/scale"

"$root/deploy/local/install-deps.sh"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"

free_port() {
  local p=$1
  while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
wait_port() {
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done
  echo "scale.sh: nothing listens on port $1 (see $dir/)" >&2
  exit 1
}

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/deploy/local/pg.sh" stop scale || true
}
trap cleanup EXIT
mkdir -p "$dir"

admin_url="$("$root/deploy/local/pg.sh" start scale ${KEEL_SCALE_PG_PORT:-})"
pg_port="$(sed -E 's#.*:([0-9]+)/postgres$#\1#' <<<"$admin_url")"
psql -q -X "$admin_url" -tc "SELECT 1 FROM pg_database WHERE datname = 'keel_scale'" | grep -q 1 ||
  psql -q -X "$admin_url" -c "CREATE DATABASE keel_scale" >/dev/null
direct_url="${admin_url%/postgres}/keel_scale"
DATABASE_URL="$direct_url" "build/$preset/keel-cron" run db.migrate

bouncer_port="$(free_port 6432)"
"$root/deploy/local/pgbouncer.sh" "$dir" "$bouncer_port" "$pg_port" >"$dir/pgbouncer.log" 2>&1 &
pids+=($!)
wait_port "$bouncer_port"

redis_port="$(free_port 6380)"
redis-server --save "" --appendonly no --bind 127.0.0.1 --port "$redis_port" --dir "$dir" \
  >"$dir/redis.log" 2>&1 &
pids+=($!)
wait_port "$redis_port"

keys_file="$root/.local/jwt_signing_keys"
if [ ! -s "$keys_file" ]; then
  (umask 077 && "build/$preset/keel-cron" run auth.keygen >"$keys_file.new")
  mv "$keys_file.new" "$keys_file"
fi
export JWT_SIGNING_KEYS="${JWT_SIGNING_KEYS:-$(cat "$keys_file")}"
export DATABASE_URL="postgresql://postgres@127.0.0.1:$bouncer_port/keel_scale" DB_PGBOUNCER=true
export REDIS_URL="redis://127.0.0.1:$redis_port/0" APP_ENV="${APP_ENV:-development}"
# Behind one proxy: the client address is the last X-Forwarded-For entry HAProxy appends. /ready
# fails for a second after SIGTERM before the instance stops accepting, so HAProxy (checking
# every 300 ms) takes it out first: `kill -TERM <pid>` of one instance loses no request.
export TRUSTED_PROXY_HOPS=1 SHUTDOWN_DELAY=1s

api_ports=()
for i in 1 2; do
  port="$(free_port $((18180 + i)))"
  PORT="$port" HOST=127.0.0.1 "build/$preset/keel-api" >"$dir/api-$i.log" 2>&1 &
  pids+=($!)
  api_ports+=("$port")
  wait_port "$port"
done
DATABASE_DIRECT_URL="$direct_url" "build/$preset/keel-worker" >"$dir/worker-1.log" 2>&1 &
pids+=($!)
"build/$preset/keel-worker" >"$dir/worker-2.log" 2>&1 &
pids+=($!)

cat >"$dir/haproxy.cfg" <<CFG
global
  maxconn 4000
defaults
  mode http
  option forwardfor
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  retries 3
  option redispatch 1
frontend web
  bind 127.0.0.1:$lb_port
  default_backend api
backend api
  balance roundrobin
  option httpchk GET /ready
  server api1 127.0.0.1:${api_ports[0]} check inter 300ms fall 2 rise 1
  server api2 127.0.0.1:${api_ports[1]} check inter 300ms fall 2 rise 1
CFG
haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
pids+=($!)
wait_port "$lb_port"

echo "keel on http://127.0.0.1:$lb_port through HAProxy: keel-api on ${api_ports[*]}, PgBouncer on"
echo "$bouncer_port, Redis on $redis_port, two keel-workers; logs in $dir/. Ctrl-C stops all."
# One instance stopping is what a deployment lives through: the rest keep serving until Ctrl-C.
wait
