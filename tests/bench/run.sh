#!/usr/bin/env bash
# keel's benchmark: keel-api against its peers, in one run on one machine. Not part of CI.
#
#   tests/bench/run.sh                 build keel (Release), measure everything, write RESULTS.md
#   DURATION=30s tests/bench/run.sh    longer measurements (default 10s each, after a warm-up)
#   KEEL_SKIP=1 tests/bench/run.sh     measure only the peers (keel's rows read "not run")
#
# What runs, each alone while it is measured, with `wrk -t2 -c64 --latency`:
#   /health                  keel-api  vs nginx (fixed JSON, the HTTP limit)  vs Hono on Node
#   /api/v1/templates/{slug} keel-api  vs Hono + postgres.js (same query)     vs pgbench -S (the DB limit)
# Figures are ratios from one run on one machine; see tests/bench/README.md for how to read them.
#
# Environment (all optional):
#   DURATION=10s  WARMUP=3s   length of each measurement and of the warm-up before it
#   CONNECTIONS=64 WRK_THREADS=2  wrk's -c and -t
#   PG_PORT=55499             port of the project-local PostgreSQL cluster "bench"
#   KEEL_SKIP=1               do not build or measure keel (peers only)
#   SKIP_BUILD=1              use the existing build/release binaries
#   HONO_WORKERS=N            Node processes for Hono (default: one per core, like keel and nginx)
#   RESULTS=path              where to write the markdown (default tests/bench/RESULTS.md)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
out="$here/out"                     # raw wrk/pgbench output and server logs (git-ignored)

duration="${DURATION:-10s}"
warmup="${WARMUP:-3s}"
connections="${CONNECTIONS:-64}"
wrk_threads="${WRK_THREADS:-2}"
pg_port="${PG_PORT:-55499}"
keel_skip="${KEEL_SKIP:-0}"
results="${RESULTS:-$here/RESULTS.md}"
pg_bin=/usr/lib/postgresql/15/bin

# Loopback ports for the servers under test; only 127.0.0.1 is ever sent traffic.
keel_port=18080
nginx_port=18081
hono_port=18082
hono_pg_port=18083

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# --- cleanup: everything this script starts is stopped by PID on exit ------------------------
pids=()          # servers started in the background
pg_started=0
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  if [ "$pg_started" = 1 ]; then
    "$root/deploy/local/pg.sh" stop bench || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sends SIGTERM, waits up to 10 s, then SIGKILL. Removes the PID from the list.
stop_pid() {
  local pid="$1"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  local kept=() p
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  pids=("${kept[@]+"${kept[@]}"}")
}

# "10s" / "1m" / "500ms" -> whole seconds (pgbench -T takes seconds).
seconds_of() {
  local d="$1"
  case "$d" in
    *ms) echo $(( (${d%ms} + 999) / 1000 )) ;;
    *s)  echo "${d%s}" ;;
    *m)  echo $(( ${d%m} * 60 )) ;;
    *h)  echo $(( ${d%h} * 3600 )) ;;
    *)   echo "$d" ;;
  esac
}

# --- 1. tools ---------------------------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  [ -x "$pg_bin/postgres" ] && [ -x "$pg_bin/pgbench" ] || missing+=(postgresql-15)
  command -v psql >/dev/null || missing+=(postgresql-client-15)
  command -v curl >/dev/null || missing+=(curl)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  if [ "$keel_skip" != 1 ]; then
    command -v cmake >/dev/null || missing+=(cmake)
    command -v ninja >/dev/null || missing+=(ninja-build)
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  # The packages install a system nginx/postgresql service on some setups; this script never uses them.
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$node_major" -ge 20 ] || die "Node $node_major found; @hono/node-server needs Node >= 20 (Debian 12's nodejs is 18: install Node 20+, e.g. from NodeSource)"
}

ensure_node_modules() {
  # npm ci when node_modules is missing or was installed from another lock file.
  if ! cmp -s "$here/package-lock.json" "$here/node_modules/.keel-bench-lock" 2>/dev/null; then
    log "npm ci (hono, @hono/node-server, postgres)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$here/package-lock.json" "$here/node_modules/.keel-bench-lock"
  fi
}

# --- 2. keel ----------------------------------------------------------------------------------
build_keel() {
  if [ "${SKIP_BUILD:-0}" = 1 ]; then
    log "SKIP_BUILD=1: using the existing build/release binaries"
  else
    log "building keel (Release)"
    # Only the two programs the benchmark runs; the test suites are not needed here.
    (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release --target keel-api keel-cron) \
      || die "keel did not build (KEEL_SKIP=1 measures the peers only)"
  fi
  [ -x "$root/build/release/keel-api" ] || die "build/release/keel-api is missing"
  [ -x "$root/build/release/keel-cron" ] || die "build/release/keel-cron is missing"
}

# --- 3. PostgreSQL ----------------------------------------------------------------------------
pg_admin_url=""
db_url() { echo "${pg_admin_url%/*}/$1"; }   # same server, another database
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 "$pg_admin_url" "$@"; }

start_pg() {
  log "starting PostgreSQL (project-local cluster 'bench' on 127.0.0.1:$pg_port)"
  pg_started=1
  pg_admin_url="$("$root/deploy/local/pg.sh" start bench "$pg_port" | tail -n1)"
  [ -n "$pg_admin_url" ] || die "deploy/local/pg.sh printed no URL"
}

# A fresh database each run, so every run starts from the same state.
recreate_db() {
  psql_admin -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
}

prepare_keel_db() {
  recreate_db keel_bench
  if [ "$keel_skip" = 1 ]; then
    # Without keel-cron, apply the same schema files with psql (each in one transaction), so
    # the peers read the same table and rows keel would.
    log "KEEL_SKIP=1: applying schema/*.sql to keel_bench with psql"
    local f
    for f in "$root"/schema/*.sql; do
      psql -X -q -v ON_ERROR_STOP=1 --single-transaction -f "$f" "$(db_url keel_bench)" >/dev/null
    done
  else
    log "migrating keel_bench (keel-cron run db.migrate)"
    DATABASE_URL="$(db_url keel_bench)" LOG_LEVEL=warn "$root/build/release/keel-cron" run db.migrate
  fi
}

prepare_pgbench_db() {
  log "initialising the pgbench database (pgbench -i -s 10)"
  recreate_db keel_pgbench
  "$pg_bin/pgbench" -i -s 10 -q "$(db_url keel_pgbench)" >"$out/pgbench-init.log" 2>&1 \
    || { cat "$out/pgbench-init.log" >&2; die "pgbench -i failed"; }
}

# --- 4. servers -------------------------------------------------------------------------------
# Waits until URL answers 200 (up to 30 s); fails early if the server PID is gone.
wait_ready() {
  local name="$1" pid="$2" url="$3"
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$out/$name.log" >&2; die "$name exited before it was ready"; }
    sleep 0.1
  done
  tail -n 30 "$out/$name.log" >&2
  die "$name did not answer 200 on $url within 30 s"
}

# Checks the body once before measuring, so a wrong answer is never benchmarked.
expect_body() {
  local name="$1" url="$2" needle="$3" body
  body="$(curl -fsS --max-time 5 "$url")" || die "$name: GET $url failed"
  [[ "$body" == *"$needle"* ]] || die "$name: GET $url returned '$body', expected it to contain '$needle'"
}

# Starts a server in the background (not in a subshell, so cleanup sees its PID) and waits
# until URL answers. Sets server_pid.
server_pid=""
start_server() {   # name url command...
  local name="$1" url="$2"; shift 2
  "$@" >"$out/$name.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_ready "$name" "$server_pid" "$url"
}

start_nginx() {
  local prefix="$out/nginx"
  mkdir -p "$prefix/tmp"
  # The committed config with the port filled in; nginx wants an absolute path with -c.
  sed "s/__PORT__/$nginx_port/" "$here/nginx/nginx.conf" >"$prefix/nginx.conf"
  start_server nginx "http://127.0.0.1:$nginx_port/health" \
    nginx -e stderr -c "$prefix/nginx.conf" -p "$prefix/" -g "pid $prefix/nginx.pid;"
}

# Hono runs one process per core (HONO_WORKERS, default nproc) for the ratios, and once more
# as a single process, the way many Node services are deployed, for context.
hono_workers="${HONO_WORKERS:-$(nproc)}"
start_hono() {   # workers
  start_server "hono-x$1" "http://127.0.0.1:$hono_port/health" \
    env PORT="$hono_port" HONO_WORKERS="$1" NODE_ENV=production node "$here/hono/health.mjs"
}

start_hono_pg() {   # workers
  start_server "hono-postgres-x$1" "http://127.0.0.1:$hono_pg_port/api/v1/templates/$slug" \
    env PORT="$hono_pg_port" HONO_WORKERS="$1" NODE_ENV=production DATABASE_URL="$(db_url keel_bench)" \
    node "$here/hono/templates.mjs"
}

start_keel() {
  # HTTP_THREADS is left to its default (one event loop per core).
  start_server keel-api "http://127.0.0.1:$keel_port/health" \
    env DATABASE_URL="$(db_url keel_bench)" PORT="$keel_port" LOG_LEVEL=warn \
    JWT_SIGNING_KEYS="$("$root/build/release/keel-cron" run auth.keygen)" \
    "$root/build/release/keel-api"
}

# --- 5. measuring -----------------------------------------------------------------------------
declare -A rps p99 note   # keyed by row name

# wrk's output -> requests/s and p99 in ms; non-2xx answers or socket errors are noted.
measure_http() {
  local row="$1" url="$2" file="$out/wrk-$1.txt"
  log "wrk $row: $url"
  wrk -t"$wrk_threads" -c"$connections" -d"$warmup" "$url" >/dev/null
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency "$url" | tee "$file" >&2
  rps[$row]="$(wrk_rps "$file")"
  p99[$row]="$(wrk_p99_ms "$file")"
  local errors
  errors="$(awk '/Non-2xx or 3xx responses:/ { printf "%s non-2xx ", $NF } /Socket errors:/ { sub(/^ *Socket errors: */, ""); printf "socket errors: %s", $0 }' "$file")"
  note[$row]="${errors:-}"
  [ -n "${rps[$row]}" ] || die "could not read requests/s from $file"
}

measure_pgbench() {
  local row=pgbench file="$out/pgbench.txt" secs
  secs="$(seconds_of "$duration")"
  log "pgbench -S -M simple -c 10 -j 2 -T $secs"
  "$pg_bin/pgbench" -n -S -M simple -c 10 -j 2 -T "$(seconds_of "$warmup")" "$(db_url keel_pgbench)" >/dev/null 2>&1
  "$pg_bin/pgbench" -n -S -M simple -c 10 -j 2 -T "$secs" "$(db_url keel_pgbench)" 2>&1 | tee "$file" >&2
  rps[$row]="$(awk '/^tps = / { printf "%.0f", $3 }' "$file")"
  # pgbench prints the mean latency, not a percentile: shown as such.
  p99[$row]="$(awk '/^latency average = / { printf "%.2f", $4 }' "$file")"
  note[$row]="latency column is pgbench's average, not p99"
  [ -n "${rps[$row]}" ] || die "could not read tps from $file"
}

# keel / peer, to two decimals; "—" when either side was not measured.
ratio() {
  local a="${rps[$1]:-}" b="${rps[$2]:-}"
  if [ -z "$a" ] || [ -z "$b" ] || [ "$b" = 0 ]; then echo "—"; return; fi
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", a / b }'
}
verdict() {   # ratio target
  local r="${1%x}"
  [ "$r" = "—" ] && { echo "not run"; return; }
  awk -v r="$r" -v t="$2" 'BEGIN { print (r >= t ? "met" : "missed") }'
}

# --- 6. the report ----------------------------------------------------------------------------
row_line() {   # label row
  local r="$2"
  if [ -z "${rps[$r]:-}" ]; then
    printf '| %s | not run | — | |\n' "$1"
  else
    printf '| %s | %s | %s | %s |\n' "$1" "${rps[$r]}" "${p99[$r]}" "${note[$r]}"
  fi
}

write_results() {
  local cpu cores mem kernel os date commit pkg_versions
  cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  cores="$(nproc)"
  mem="$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  kernel="$(uname -r)"
  os="$(. /etc/os-release && echo "$PRETTY_NAME")"
  date="$(date -u '+%Y-%m-%d %H:%M UTC')"
  commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  # The binaries were built from the working tree, which may differ from the commit.
  if [ -n "$(git -C "$root" status --porcelain --untracked-files=normal -- \
        CMakeLists.txt cmake core api worker cron schema 2>/dev/null)" ]; then
    commit="$commit plus uncommitted changes"
  fi
  pkg_versions="$(cd "$here" && node -e '
    const v = (p) => require("./node_modules/" + p + "/package.json").version;
    console.log(`hono ${v("hono")}, @hono/node-server ${v("@hono/node-server")}, postgres.js ${v("postgres")}`)')"
  local r_nginx r_hono r_pgb r_hpg
  r_nginx="$(ratio keel-health nginx)"
  r_hono="$(ratio keel-health hono)"
  r_pgb="$(ratio keel-template pgbench)"
  r_hpg="$(ratio keel-template hono-postgres)"

  {
    cat <<EOF
# keel benchmark results

Figures are **ratios from one run on one machine**: every server below ran on the same
machine, in the same run, one at a time, with the load generator on the same cores. Compare
the ratios, not the absolute numbers, and compare runs only on the same machine.

- Machine: $cpu, $cores cores, $mem RAM; $os, Linux $kernel; load average before the run: $load_before
- Date: $date; keel commit $commit$([ "$keel_skip" = 1 ] && echo " (keel not run: KEEL_SKIP=1)")
- Load: \`wrk -t$wrk_threads -c$connections -d$duration --latency URL\` after a $warmup warm-up;
  \`pgbench -n -S -M simple -c 10 -j 2 -T $(seconds_of "$duration")\` on a \`pgbench -i -s 10\` database
- Peers: $(nginx -v 2>&1 | sed 's/^nginx version: //') (\`worker_processes auto\`, fixed body);
  Node $(node --version), $pkg_versions (node:cluster, one process per core, pool of 10 connections in all);
  PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }'); wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')
- Reproduce: \`tests/bench/run.sh\` (see tests/bench/README.md); raw output in tests/bench/out/

## GET /health

| server | requests/s | p99 ms | notes |
| --- | ---: | ---: | --- |
$(row_line "keel-api" keel-health)
$(row_line "nginx, fixed JSON" nginx)
$(row_line "Hono on Node, $hono_workers processes" hono)
$(row_line "Hono on Node, 1 process (context only)" hono-1)

## GET /api/v1/templates/{slug} (slug \`$slug\`)

| server | requests/s | p99 ms | notes |
| --- | ---: | ---: | --- |
$(row_line "keel-api" keel-template)
$(row_line "Hono + postgres.js, $hono_workers processes" hono-postgres)
$(row_line "Hono + postgres.js, 1 process (context only)" hono-postgres-1)
$(row_line "pgbench -S (simple, 10 clients), tps" pgbench)

## Ratios (requests/s of keel over the peer's)

| ratio | value | target | |
| --- | ---: | ---: | --- |
| /health keel / nginx | $r_nginx | ≥ 0.85x | $(verdict "$r_nginx" 0.85) |
| /health keel / Hono | $r_hono | ≥ 2x | $(verdict "$r_hono" 2) |
| template keel / pgbench -S | $r_pgb | ≥ 1.0x | $(verdict "$r_pgb" 1.0) |
| template keel / Hono + postgres.js | $r_hpg | ≥ 3x | $(verdict "$r_hpg" 3) |
EOF
  } >"$results"
  log "wrote ${results#"$root"/}"
  cat "$results"
}

# --- main -------------------------------------------------------------------------------------
mkdir -p "$out"
# Other work on the machine skews every figure; the load before the run goes into the report.
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
ensure_tools
ensure_node_modules
[ "$keel_skip" = 1 ] || build_keel
start_pg
prepare_keel_db
prepare_pgbench_db

slug="$(psql -X -At -v ON_ERROR_STOP=1 "$(db_url keel_bench)" \
  -c "SELECT slug FROM governance_templates ORDER BY (NOT featured), sort_order, title LIMIT 1")"
[ -n "$slug" ] || die "governance_templates has no rows: nothing to look up"
log "template slug: $slug"

# /health: each server alone while it is measured.
start_nginx
expect_body nginx "http://127.0.0.1:$nginx_port/health" '"status":"ok"'
measure_http nginx "http://127.0.0.1:$nginx_port/health"
stop_pid "$server_pid"

start_hono "$hono_workers"
expect_body hono "http://127.0.0.1:$hono_port/health" '"status":"ok"'
measure_http hono "http://127.0.0.1:$hono_port/health"
stop_pid "$server_pid"

if [ "$hono_workers" != 1 ]; then
  start_hono 1
  measure_http hono-1 "http://127.0.0.1:$hono_port/health"
  stop_pid "$server_pid"
fi

if [ "$keel_skip" != 1 ]; then
  start_keel
  expect_body keel-api "http://127.0.0.1:$keel_port/health" '"status"'
  measure_http keel-health "http://127.0.0.1:$keel_port/health"
  expect_body keel-api "http://127.0.0.1:$keel_port/api/v1/templates/$slug" "\"$slug\""
  measure_http keel-template "http://127.0.0.1:$keel_port/api/v1/templates/$slug"
  stop_pid "$server_pid"
fi

# Template lookup: the database limit, then the Node peer.
measure_pgbench

start_hono_pg "$hono_workers"
expect_body hono-postgres "http://127.0.0.1:$hono_pg_port/api/v1/templates/$slug" "\"$slug\""
measure_http hono-postgres "http://127.0.0.1:$hono_pg_port/api/v1/templates/$slug"
stop_pid "$server_pid"

if [ "$hono_workers" != 1 ]; then
  start_hono_pg 1
  measure_http hono-postgres-1 "http://127.0.0.1:$hono_pg_port/api/v1/templates/$slug"
  stop_pid "$server_pid"
fi

write_results
