#!/usr/bin/env bash
# One keel-api against two, both behind HAProxy and PgBouncer as deploy/local/scale.sh runs
# them, measured in one run: GET /health and the template lookup (cache off, so every request
# reaches PostgreSQL through PgBouncer). Not part of CI. On a 2-core machine the load generator,
# HAProxy, PgBouncer, PostgreSQL and keel share the cores, so two instances cannot be faster than
# one; the figures show what the second instance and the proxies cost, not how keel scales.
#
#   tests/bench/scale.sh                build keel (Release), measure, update RESULTS.md
#   SKIP_BUILD=1 tests/bench/scale.sh   use build/release
# Environment: DURATION=10s WARMUP=3s CONNECTIONS=64 PG_PORT=55497 RESULTS=path
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
root="$(cd "$here/../.." && pwd)"
out="$here/out/scale"
duration="${DURATION:-10s}"
warmup="${WARMUP:-3s}"
connections="${CONNECTIONS:-64}"
pg_port="${PG_PORT:-55497}"
results="${RESULTS:-$here/RESULTS.md}"
bin="$root/build/release"
lb_port=18190 bouncer_port=18193 api_ports=(18191 18192)

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'scale.sh: %s\n' "$*" >&2; exit 1; }

pids=() lb_pid="" pg_started=0
cleanup() {
  local pid
  for pid in $lb_pid "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in $lb_pid "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$pg_started" = 1 ]; then "$root/deploy/local/pg.sh" stop bench-scale || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_port() {
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done
  die "nothing listens on port $1 (see $out/)"
}

mkdir -p "$out"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
"$root/deploy/local/install-deps.sh"
build_release_servers "$root"

log "PostgreSQL (cluster bench-scale, port $pg_port) and PgBouncer (port $bouncer_port)"
pg_started=1
admin_url="$("$root/deploy/local/pg.sh" start bench-scale "$pg_port" | tail -n1)"
psql -X -q "$admin_url" -c "DROP DATABASE IF EXISTS keel_bench WITH (FORCE)" -c "CREATE DATABASE keel_bench"
DATABASE_URL="${admin_url%/*}/keel_bench" LOG_LEVEL=warn "$bin/keel-cron" run db.migrate
slug="$(psql -X -At "${admin_url%/*}/keel_bench" -c "SELECT slug FROM governance_templates LIMIT 1")"
"$root/deploy/local/pgbouncer.sh" "$out" "$bouncer_port" "$pg_port" >"$out/pgbouncer.log" 2>&1 &
pids+=($!)
wait_port "$bouncer_port"

# Each instance with one event loop per core, as a deployment runs it; the pool behind PgBouncer.
keys="$("$bin/keel-cron" run auth.keygen)"
for i in 0 1; do
  env DATABASE_URL="postgresql://postgres@127.0.0.1:$bouncer_port/keel_bench" DB_PGBOUNCER=true \
    PORT="${api_ports[$i]}" HOST=127.0.0.1 LOG_LEVEL=warn ACCESS_LOG=false RATE_LIMITS=false \
    CACHE_TTL=0s JWT_SIGNING_KEYS="$keys" "$bin/keel-api" >"$out/api-$i.log" 2>&1 &
  pids+=($!)
  wait_port "${api_ports[$i]}"
done

# HAProxy in front of the first $1 instances.
start_lb() {
  local n="$1" i
  {
    printf 'global\n  maxconn 4000\ndefaults\n  mode http\n  timeout connect 2s\n'
    printf '  timeout client 60s\n  timeout server 60s\nfrontend web\n  bind 127.0.0.1:%s\n' "$lb_port"
    printf '  default_backend api\nbackend api\n  balance roundrobin\n'
    for ((i = 0; i < n; i++)); do printf '  server api%s 127.0.0.1:%s\n' "$i" "${api_ports[$i]}"; done
  } >"$out/haproxy-$n.cfg"
  haproxy -db -f "$out/haproxy-$n.cfg" >"$out/haproxy-$n.log" 2>&1 &
  lb_pid=$!
  wait_port "$lb_port"
}
stop_lb() { kill "$lb_pid"; wait "$lb_pid" 2>/dev/null || true; lb_pid=""; }

declare -A rps p99
measure() {
  local key="$1" url="$2" file="$out/wrk-$1.txt"
  log "wrk $key: $url"
  wrk -t2 -c"$connections" -d"$warmup" "$url" >/dev/null
  wrk -t2 -c"$connections" -d"$duration" --latency "$url" | tee "$file" >&2
  if grep -qE 'Non-2xx|Socket errors' "$file"; then die "$key: wrk saw errors (see $file)"; fi
  rps[$key]="$(wrk_rps "$file")"
  p99[$key]="$(wrk_p99_ms "$file")"
}
for n in 1 2; do
  start_lb "$n"
  measure "health-$n" "http://127.0.0.1:$lb_port/health"
  measure "template-$n" "http://127.0.0.1:$lb_port/api/v1/templates/$slug"
  stop_lb
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
write_results_section "$results" scale.sh "<!-- scale.sh: this section is rewritten by tests/bench/scale.sh -->
## One instance against two, behind HAProxy and PgBouncer

keel-api (release, one loop per core) behind HAProxy (round robin), its pool behind PgBouncer
(transaction pooling, DB_PGBOUNCER=true), the template cache off; wrk -t2 -c$connections
-d$duration after a $warmup warm-up, on the same $(nproc) cores as everything else;
$(date -u '+%Y-%m-%d'), load average before: $load_before. Reproduce: \`tests/bench/scale.sh\`.

| measurement | one instance req/s | p99 ms | two instances req/s | p99 ms | two / one |
| --- | ---: | ---: | ---: | ---: | ---: |
| GET /health | ${rps[health-1]} | ${p99[health-1]} | ${rps[health-2]} | ${p99[health-2]} | $(ratio "${rps[health-2]}" "${rps[health-1]}") |
| GET /api/v1/templates/{slug} (PostgreSQL through PgBouncer) | ${rps[template-1]} | ${p99[template-1]} | ${rps[template-2]} | ${p99[template-2]} | $(ratio "${rps[template-2]}" "${rps[template-1]}") |

On 2 cores a second instance only adds contexts to switch between; the point of two is that
either can stop (tests/e2e/scale_out_test.cpp restarts both under load without a failed request).
<!-- scale.sh: end -->"
log "wrote the scale.sh section of $results"
