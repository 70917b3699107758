#!/usr/bin/env bash
# Realtime benchmark: keel-api's WebSockets against two Node peers doing the same job, the
# hand-written one (npm ws + ioredis pub/sub, realtime/ws_peer.mjs) and Socket.IO 4 with its
# Redis adapter (realtime/sio_peer.mjs), each as two instances behind one HAProxy with one
# Redis, in one run on one machine (shared and noisy: only the ratios mean anything).
# Not part of CI.
#
#   tests/bench/realtime.sh               build keel (Release), measure, update RESULTS.md
#   SKIP_BUILD=1 tests/bench/realtime.sh  use the existing build/release binaries
#
# 1. Idle: IDLE connections (10,000), each subscribed to a channel, held on one instance; the
#    server's resident memory per connection (VmRSS after minus before, over IDLE).
# 2. Fanout: SUBSCRIBERS (1,000) of one channel spread over both instances by HAProxy; EVENTS
#    (300) events published with at most WINDOW (4) in flight; deliveries per second and the
#    publish-to-delivery p50/p99 over every subscriber's copy. keel's events are published as
#    keel's own writes publish them (a row in `events`, then the notice on Redis), so keel also
#    pays its PostgreSQL read per event and instance; the peers carry the event in Redis.
# The clients and the publisher are one Node process (realtime/clients.mjs) for every system.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/out/realtime"
idle="${IDLE:-10000}"
subscribers="${SUBSCRIBERS:-1000}"
events="${EVENTS:-300}"
window="${WINDOW:-4}"
pg_port="${PG_PORT:-55500}"
redis_port=18101
lb_port=18100
ports=(18102 18103)
results="${RESULTS:-$here/RESULTS.md}"

# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'realtime.sh: %s\n' "$*" >&2; exit 1; }
pids=()
pg_started=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  [ "$pg_started" = 0 ] || "$root/deploy/local/pg.sh" stop bench-realtime || true
}
trap cleanup EXIT

mkdir -p "$out"
command -v haproxy >/dev/null || apt-get install -y -qq haproxy >/dev/null
install_peers "$here"
build_release_servers "$root"

log "PostgreSQL (cluster bench-realtime, port $pg_port), Redis ($redis_port), HAProxy ($lb_port)"
admin_url="$("$root/deploy/local/pg.sh" start bench-realtime "$pg_port")"
pg_started=1
psql -q -X "$admin_url" -c "DROP DATABASE IF EXISTS keel_bench_realtime WITH (FORCE)" \
  -c "CREATE DATABASE keel_bench_realtime"
export DATABASE_URL="${admin_url%/postgres}/keel_bench_realtime"
LOG_LEVEL=warn "$root/build/release/keel-cron" run db.migrate
JWT_SIGNING_KEYS="$("$root/build/release/keel-cron" run auth.keygen)"
export JWT_SIGNING_KEYS
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
pids+=($!)
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
cat >"$out/haproxy.cfg" <<CFG
global
  maxconn 4000
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  timeout tunnel 1h
frontend web
  bind 127.0.0.1:$lb_port
  default_backend instances
backend instances
  balance roundrobin
  server a 127.0.0.1:${ports[0]}
  server b 127.0.0.1:${ports[1]}
CFG
haproxy -db -f "$out/haproxy.cfg" >"$out/haproxy.log" 2>&1 &
pids+=($!)

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
wait_port() { for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; die "nothing on port $1"; }

# Two instances of `system` on ${ports[@]}; sets instance_pids (each branch execs, so the PID
# is the server itself).
instance_pids=()
start_instances() {
  local system="$1"
  instance_pids=()
  for port in "${ports[@]}"; do
    case "$system" in
      keel) exec env HOST=127.0.0.1 PORT="$port" RATE_LIMITS=false ACCESS_LOG=false LOG_LEVEL=warn \
              REALTIME_MAX_CONNECTIONS_PER_USER=10000 "$root/build/release/keel-api" ;;
      ws) exec node "$here/realtime/ws_peer.mjs" "$port" "$REDIS_URL" ;;
      socketio) exec node "$here/realtime/sio_peer.mjs" "$port" "$REDIS_URL" ;;
    esac >>"$out/$system-$port.log" 2>&1 &
    instance_pids+=($!)
    pids+=($!)
  done
  for port in "${ports[@]}"; do wait_port "$port"; done
  sleep 1
}
stop_instances() {
  for pid in "${instance_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

url_of() {  # system, port
  case "$1" in
    socketio) echo "http://127.0.0.1:$2" ;;
    *) echo "ws://127.0.0.1:$2/api/v1/realtime" ;;
  esac
}

# A keel user and its channel (the same channel name is used for the peers).
start_instances keel
auth_json="$(curl -sf -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench-realtime-$(date +%s)@example.com\",\"password\":\"a benchmark password\"}" \
  "http://127.0.0.1:${ports[0]}/api/v1/auth/register")"
token="$(echo "$auth_json" | json_field '["access_token"]')"
channel="user:$(echo "$auth_json" | json_field '["user"]["id"]')"
stop_instances

postmaster() { head -n1 "$root/.local/pg-bench-realtime/data/postmaster.pid"; }

declare -A per_conn deliveries p50 p99 server_us pg_us
for system in keel ws socketio; do
  log "$system: $idle idle connections on one instance"
  start_instances "$system"
  before="$(rss_kib "${instance_pids[0]}")"
  node "$here/realtime/clients.mjs" idle "$system" "$(url_of "$system" "${ports[0]}")" "$idle" \
    "$channel" "Bearer $token" >"$out/$system-idle.txt" 2>&1 &
  client=$!
  for _ in $(seq 600); do grep -q '"open"' "$out/$system-idle.txt" && break; sleep 0.2; done
  grep -q "\"open\":$idle" "$out/$system-idle.txt" || die "$system: not all $idle connections opened"
  sleep 3
  after="$(rss_kib "${instance_pids[0]}")"
  kill "$client"; wait "$client" 2>/dev/null || true
  per_conn[$system]="$(python3 -c "print(round(($after - $before) / $idle, 2))")"
  echo "$system: ${per_conn[$system]} KiB per connection ($before → $after KiB)"
  stop_instances

  log "$system: one event to $subscribers subscribers through HAProxy, $events times"
  start_instances "$system"
  node "$here/realtime/clients.mjs" fanout "$system" "$(url_of "$system" "$lb_port")" \
    "$subscribers" "$channel" "Bearer $token" "$events" "$window" >"$out/$system-fanout.txt" &
  client=$!
  for _ in $(seq 600); do grep -q '"open"' "$out/$system-fanout.txt" && break; sleep 0.1; done
  server_before=$(($(cpu_ticks "${instance_pids[0]}") + $(cpu_ticks "${instance_pids[1]}")))
  pg_before="$(cpu_ticks "$(postmaster)")"
  wait "$client"
  server_cpu=$(($(cpu_ticks "${instance_pids[0]}") + $(cpu_ticks "${instance_pids[1]}") - server_before))
  pg_cpu=$(($(cpu_ticks "$(postmaster)") - pg_before))
  result="$(tail -n1 "$out/$system-fanout.txt")"
  echo "$system: $result (server CPU $server_cpu ticks, PostgreSQL $pg_cpu)"
  count="$(echo "$result" | json_field '["deliveries"]')"
  # CPU microseconds per delivery (a tick is 1/100 s), the servers' and PostgreSQL's.
  server_us[$system]="$(python3 -c "print($server_cpu * 10000 / $count)")"
  pg_us[$system]="$(python3 -c "print(max(0, $pg_cpu) * 10000 / $count)")"  # backends that exit take their ticks along
  deliveries[$system]="$(echo "$result" | json_field '["per_second"]')"
  p50[$system]="$(echo "$result" | json_field '["p50_ms"]')"
  p99[$system]="$(echo "$result" | json_field '["p99_ms"]')"
  stop_instances
done

ratio() { python3 -c "print(f'{$1 / $2:.2f}x')"; }
best_rate="$(python3 -c "print(max(${deliveries[ws]}, ${deliveries[socketio]}))")"
best_p99="$(python3 -c "print(min(${p99[ws]}, ${p99[socketio]}))")"
best_mem="$(python3 -c "print(min(${per_conn[ws]}, ${per_conn[socketio]}))")"
fmt() { python3 -c "print(f'{$1:,.${2:-0}f}')"; }
section="<!-- realtime.sh: this section is rewritten by tests/bench/realtime.sh -->
## Realtime: keel vs ws + ioredis and Socket.IO 4 (two instances each, HAProxy, one Redis)

Measured $(date -u +%Y-%m-%d) by \`tests/bench/realtime.sh\` ($idle idle connections on one
instance; one event to $subscribers subscribers, $events events, $window in flight).

| system | memory per idle connection | fanout deliveries/s | publish→delivery p50 | p99 | server CPU per delivery | PostgreSQL CPU per delivery |
| --- | --- | --- | --- | --- | --- | --- |
| keel | $(fmt "${per_conn[keel]}" 1) KiB | $(fmt "${deliveries[keel]}") | $(fmt "${p50[keel]}" 1) ms | $(fmt "${p99[keel]}" 1) ms | $(fmt "${server_us[keel]}" 1) µs | $(fmt "${pg_us[keel]}" 1) µs |
| ws + ioredis | $(fmt "${per_conn[ws]}" 1) KiB | $(fmt "${deliveries[ws]}") | $(fmt "${p50[ws]}" 1) ms | $(fmt "${p99[ws]}" 1) ms | $(fmt "${server_us[ws]}" 1) µs | - |
| Socket.IO 4 + redis-adapter | $(fmt "${per_conn[socketio]}" 1) KiB | $(fmt "${deliveries[socketio]}") | $(fmt "${p50[socketio]}" 1) ms | $(fmt "${p99[socketio]}" 1) ms | $(fmt "${server_us[socketio]}" 1) µs | - |

keel's memory per connection is $(ratio "${per_conn[keel]}" "$best_mem") of the leaner peer's
(target ≤ 0.33x); its deliveries/s $(ratio "${deliveries[keel]}" "$best_rate") of the faster
peer's (target ≥ 3x); its p99 $(ratio "${p99[keel]}" "$best_p99") of the better peer's
(target ≤ 0.5x). The clients are one Node process for every system, sharing the two cores with
the servers, so deliveries/s and latency are bounded by it for all three; the servers' own CPU
per delivery is what tells them apart: keel's is $(ratio "${server_us[keel]}" "$(python3 -c "print(min(${server_us[ws]}, ${server_us[socketio]}))")") of
the leaner peer's. keel's path includes a PostgreSQL read per event and instance (durable
events), shown in the last column.
<!-- realtime.sh: end -->"
write_results_section "$results" realtime.sh "$section"
log "wrote the realtime section of $results"
