#!/usr/bin/env bash
# keel's job-queue benchmark: keel-worker against graphile-worker, pg-boss and BullMQ, in one
# run on one machine and one PostgreSQL (BullMQ on a Redis started here). Not part of CI.
#
#   tests/bench/jobs.sh                 build keel (Release), measure everything, update RESULTS.md
#   JOBS=2000 TRICKLE_SECONDS=2 tests/bench/jobs.sh   a quick smoke run
#   SYSTEMS="keel bullmq" tests/bench/jobs.sh         only some rows (keel keel-x2 keel-c100 graphile
#                                                     graphile-batched pgboss pgboss-batch100 bullmq)
#
# Two measurements per configuration, each system alone while it is measured, each on a fresh
# database (or an empty Redis):
#   drain    JOBS no-op jobs are enqueued in bulk before any worker runs; then the worker starts
#            and jobs/s = JOBS / (time all are completed - time the first one started).
#   latency  a producer enqueues one job at a time, RATE jobs/s for TRICKLE_SECONDS, each job
#            carrying its enqueue time; enqueue-to-start latency p50/p99 over all of them.
# See tests/bench/README.md ("Job queues") for what exactly is timed and how to read it.
#
# Environment (all optional):
#   JOBS=20000  CONCURRENCY=20  RATE=200  TRICKLE_SECONDS=10
#   PGBOSS_LIMIT=20           seconds the 20-in-flight pg-boss drain may run (it does ~40 jobs/s)
#   DRAIN_LIMIT=300           seconds any other drain may run before it is reported as partial
#   DRAIN_RUNS=3              drains per configuration; the median is reported
#   PG_PORT=25498             first port tried for the project-local PostgreSQL cluster "bench-jobs"
#   REDIS_PORT=26379          first port tried for redis-server (the next free one is used)
#   SYSTEMS="..."             the rows to measure (default: all)
#   SKIP_BUILD=1              use the existing build/release binaries
#   KEEL_BIN=dir              with SKIP_BUILD=1: take keel-worker-test and keel-cron from there instead
#   RESULTS=path              the markdown file whose "Job queues" section is (re)written
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
root="$(cd "$here/../.." && pwd)"
out="$here/out/jobs"                # raw timings, latencies and logs (git-ignored)

jobs_n="${JOBS:-20000}"
concurrency="${CONCURRENCY:-20}"
rate="${RATE:-200}"
trickle_s="${TRICKLE_SECONDS:-10}"
pgboss_limit="${PGBOSS_LIMIT:-20}"
drain_limit="${DRAIN_LIMIT:-300}"
drain_runs="${DRAIN_RUNS:-3}"
pg_port="${PG_PORT:-25498}"
redis_port="${REDIS_PORT:-26379}"
all_rows="keel keel-x2 keel-c100 graphile graphile-batched pgboss pgboss-batch100 bullmq"
rows="${SYSTEMS:-$all_rows}"
results="${RESULTS:-$here/RESULTS.md}"
pg_bin=/usr/lib/postgresql/15/bin
queue_js="$here/jobs/queue.mjs"
keel_bin="$root/build/release"

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'jobs.sh: %s\n' "$*" >&2; exit 1; }

# --- cleanup: everything this script starts is stopped by PID on exit ------------------------
pids=()
pg_started=0
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  if [ "$pg_started" = 1 ]; then
    "$root/deploy/local/pg.sh" stop bench-jobs || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sends SIGTERM, waits up to 15 s, then SIGKILL. Removes the PID from the list.
stop_pid() {
  local pid="$1"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  local kept=() p
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  pids=("${kept[@]+"${kept[@]}"}")
}

# --- 1. tools ---------------------------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_tools() {
  local missing=()
  [ -x "$pg_bin/postgres" ] || missing+=(postgresql-15)
  command -v psql >/dev/null || missing+=(postgresql-client-15)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  command -v cmake >/dev/null || missing+=(cmake)
  command -v ninja >/dev/null || missing+=(ninja-build)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  # The redis-server package may start a system service; this script never uses it.
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$node_major" -ge 20 ] || die "Node $node_major found; the peers need Node >= 20"
}

ensure_node_modules() {
  # Same rule as run.sh: npm ci when node_modules is missing or from another lock file.
  if ! cmp -s "$here/package-lock.json" "$here/node_modules/.keel-bench-lock" 2>/dev/null; then
    log "npm ci (graphile-worker, pg-boss, bullmq, ioredis, hono, postgres)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$here/package-lock.json" "$here/node_modules/.keel-bench-lock"
  fi
}

# --- 2. keel ----------------------------------------------------------------------------------
build_keel() {
  if [ "${SKIP_BUILD:-0}" = 1 ]; then
    keel_bin="${KEEL_BIN:-$keel_bin}"
    log "SKIP_BUILD=1: using the existing binaries in $keel_bin"
  else
    log "building keel (Release)"
    (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release --target keel-worker-test keel-cron) \
      || die "keel did not build"
  fi
  [ -x "$keel_bin/keel-worker-test" ] || die "$keel_bin/keel-worker-test is missing"
  [ -x "$keel_bin/keel-cron" ] || die "$keel_bin/keel-cron is missing"
}

# --- 3. PostgreSQL and Redis ------------------------------------------------------------------
pg_admin_url=""
db_url() { echo "${pg_admin_url%/*}/$1"; }
psql_db() { local db="$1"; shift; psql -X -q -v ON_ERROR_STOP=1 "$(db_url "$db")" "$@"; }

start_pg() {
  # Below the kernel's ephemeral range (32768-60999), so no client connection holds the port;
  # a port that is still busy moves the cluster to the next one.
  while port_in_use "$pg_port"; do pg_port=$((pg_port + 1)); done
  log "starting PostgreSQL (project-local cluster 'bench-jobs' on 127.0.0.1:$pg_port)"
  pg_started=1
  pg_admin_url="$("$root/deploy/local/pg.sh" start bench-jobs "$pg_port" | tail -n1)"
  [ -n "$pg_admin_url" ] || die "deploy/local/pg.sh printed no URL"
}

port_in_use() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

redis_pid=""
start_redis() {
  while port_in_use "$redis_port"; do redis_port=$((redis_port + 1)); done
  log "starting redis-server on 127.0.0.1:$redis_port"
  # No persistence: BullMQ's numbers are those of an in-memory Redis.
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$out" --logfile "$out/redis.log" --daemonize no &
  redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 100); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0
    kill -0 "$redis_pid" 2>/dev/null || die "redis-server exited (see $out/redis.log)"
    sleep 0.1
  done
  die "redis-server did not answer on port $redis_port"
}

# One template database per system, set up once; every measurement gets a fresh copy.
prepare_templates() {
  local db
  for db in tpl_keel tpl_graphile tpl_pgboss run_jobs; do
    psql_db postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  done
  log "tpl_keel: keel-cron run db.migrate, plus the test_job_runs table test.record writes to"
  psql_db postgres -c "CREATE DATABASE tpl_keel"
  DATABASE_URL="$(db_url tpl_keel)" LOG_LEVEL=warn "$keel_bin/keel-cron" run db.migrate
  # test.record inserts (job_id, attempt, request_id); ran_at is when that insert ran.
  psql_db tpl_keel -c "CREATE TABLE test_job_runs (job_id uuid NOT NULL, attempt int, request_id text,
                                                  ran_at timestamptz NOT NULL DEFAULT clock_timestamp())"
  log "tpl_graphile: graphile-worker migrations"
  psql_db postgres -c "CREATE DATABASE tpl_graphile"
  DATABASE_URL="$(db_url tpl_graphile)" node "$queue_js" setup graphile
  log "tpl_pgboss: pg-boss schema and queue"
  psql_db postgres -c "CREATE DATABASE tpl_pgboss"
  DATABASE_URL="$(db_url tpl_pgboss)" node "$queue_js" setup pgboss
}

# The state a measurement starts from: database run_jobs copied from the system's template,
# or an empty Redis.
fresh_state() {   # system
  if [ "$1" = bullmq ]; then
    redis-cli -p "$redis_port" flushall >/dev/null
  else
    psql_db postgres -c "DROP DATABASE IF EXISTS run_jobs WITH (FORCE)" -c "CREATE DATABASE run_jobs TEMPLATE tpl_$1"
  fi
}

# --- 4. the configurations measured -----------------------------------------------------------
# row -> system, worker processes, and the environment of each worker process.
row_system() {
  case "$1" in
    keel | keel-x2 | keel-c100) echo keel ;;
    graphile | graphile-batched) echo graphile ;;
    pgboss | pgboss-batch100) echo pgboss ;;
    bullmq) echo bullmq ;;
    *) die "unknown row $1 (rows: $all_rows)" ;;
  esac
}
row_processes() { [ "$1" = keel-x2 ] && echo 2 || echo 1; }
row_env() {   # row -> extra environment for each worker process
  case "$1" in
    keel) echo "WORKER_QUEUES=default:$concurrency" ;;
    keel-x2) echo "WORKER_QUEUES=default:$((concurrency / 2))" ;;
    keel-c100) echo "WORKER_QUEUES=default:100" ;;
    graphile-batched) echo "VARIANT=batched" ;;
    pgboss-batch100) echo "PGBOSS_BATCH=100" ;;
    *) echo "" ;;
  esac
}

worker_pids=()
start_workers() {   # row phase [extra env...]
  local row="$1" phase="$2"; shift 2
  local system n i extra=()
  system="$(row_system "$row")"
  n="$(row_processes "$row")"
  read -r -a extra <<<"$(row_env "$row")"
  extra+=("$@")
  worker_pids=()
  for i in $(seq "$n"); do
    local logf="$out/$row-$phase-worker$i.log"
    if [ "$system" = keel ]; then
      # One event loop per process (keel-worker's design), its default pool of 10 connections.
      # keel-worker-test: keel-worker plus test.record (tests/worker/), which this runs.
      env DATABASE_URL="$(db_url run_jobs)" LOG_LEVEL=warn \
        "${extra[@]}" "$keel_bin/keel-worker-test" >"$logf" 2>&1 &
    else
      env DATABASE_URL="$(db_url run_jobs)" REDIS_PORT="$redis_port" CONCURRENCY="$concurrency" \
        NODE_ENV=production "${extra[@]}" node "$queue_js" work "$system" >"$logf" 2>&1 &
    fi
    worker_pids+=("$!")
    pids+=("$!")
  done
}

stop_workers() {
  local pid
  for pid in "${worker_pids[@]}"; do stop_pid "$pid"; done
  worker_pids=()
}

# Peers print "ready <ms>" once their worker runs; keel-worker is given the same second.
wait_workers_ready() {   # row phase
  local row="$1" phase="$2" i n
  n="$(row_processes "$row")"
  if [ "$(row_system "$row")" != keel ]; then
    for i in $(seq "$n"); do
      for _ in $(seq 300); do
        grep -q '^ready ' "$out/$row-$phase-worker$i.log" 2>/dev/null && break
        kill -0 "${worker_pids[$((i - 1))]}" 2>/dev/null || { cat "$out/$row-$phase-worker$i.log" >&2; die "$row worker exited"; }
        sleep 0.1
      done
    done
  fi
  sleep 1
}

declare -A rate_of drain_note p50 p99 lat_note
ms_epoch_sql="extract(epoch FROM %s) * 1000"

measure_drain_once() {   # row
  local row="$1" system limit wait_out first done_line status t_done count
  system="$(row_system "$row")"
  limit="$drain_limit"
  [ "$row" = pgboss ] && limit="$pgboss_limit"
  log "$row: drain $jobs_n jobs (limit ${limit}s)"
  fresh_state "$system"
  DATABASE_URL="$(db_url run_jobs)" REDIS_PORT="$redis_port" node "$queue_js" enqueue "$system" "$jobs_n"
  # Statistics as autovacuum would have them: the same for every PostgreSQL-based system.
  [ "$system" = bullmq ] || psql_db run_jobs -c "VACUUM ANALYZE"
  start_workers "$row" drain
  wait_out="$out/$row-drain-wait.txt"
  DATABASE_URL="$(db_url run_jobs)" REDIS_PORT="$redis_port" \
    node "$queue_js" wait "$system" "$jobs_n" "$limit" | tee "$wait_out" >&2
  if [ "$system" = keel ]; then
    first="$(psql_db run_jobs -At -c "SELECT $(printf "$ms_epoch_sql" 'min(attempted_at)') FROM jobs")"
  else
    first="$(awk '$1 == "first_start" { print $2; exit }' "$out/$row-drain-worker1.log")"
  fi
  stop_workers
  if [ "$system" != keel ]; then
    # The peers' handlers count their calls: every job must have run (at least) once.
    local ran
    ran="$(awk '$1 == "ran" { print $2 }' "$out/$row-drain-worker1.log")"
    log "$row: the handler ran ${ran:-?} times"
    [ "$row" = pgboss ] || [ "${ran:-0}" -ge "$jobs_n" ] || die "$row: the handler ran ${ran:-?} times for $jobs_n jobs"
  fi
  done_line="$(tail -n1 "$wait_out")"
  read -r status t_done count <<<"$done_line"
  [ -n "$first" ] || die "$row: no job started"
  rate_of[$row]="$(awk -v n="$count" -v a="$first" -v b="$t_done" 'BEGIN { printf "%.0f", n / ((b - a) / 1000) }')"
  if [ "$status" = limit ]; then
    drain_note[$row]="$count of $jobs_n done when stopped after ${limit}s"
  else
    drain_note[$row]="$(awk -v a="$first" -v b="$t_done" 'BEGIN { printf "%.2f s", (b - a) / 1000 }')"
  fi
  log "$row: ${rate_of[$row]} jobs/s (${drain_note[$row]})"
}

# DRAIN_RUNS drains (3 by default), each from a fresh state; the median is reported and all
# of them are listed. The time-limited pg-boss drain runs once.
measure_drain() {   # row
  local row="$1" runs=() median
  if [ "$row" = pgboss ]; then measure_drain_once "$row"; return; fi
  for _ in $(seq "$drain_runs"); do
    measure_drain_once "$row"
    runs+=("${rate_of[$row]}")
  done
  median="$(printf '%s\n' "${runs[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
  rate_of[$row]="$median"
  drain_note[$row]="$(printf '%s ' "${runs[@]}" | sed 's/ $//; s/ /, /g')"
  [ "$drain_runs" = 1 ] || drain_note[$row]="median of ${drain_runs}: ${drain_note[$row]} jobs/s"
}

measure_latency() {   # row
  local row="$1" system file total stats
  system="$(row_system "$row")"
  file="$out/$row-latency.txt"
  rm -f "$file" "$out/$row-latency-claim.txt"
  log "$row: latency, $rate jobs/s for ${trickle_s}s, one at a time"
  fresh_state "$system"
  start_workers "$row" latency LATENCY_OUT="$file"
  wait_workers_ready "$row" latency
  total="$(DATABASE_URL="$(db_url run_jobs)" REDIS_PORT="$redis_port" \
    node "$queue_js" trickle "$system" "$rate" "$trickle_s")"
  DATABASE_URL="$(db_url run_jobs)" REDIS_PORT="$redis_port" \
    node "$queue_js" wait "$system" "$total" 60 >"$out/$row-latency-wait.txt"
  stop_workers
  if [ "$system" = keel ]; then
    # Start = when test.record's insert ran (clock_timestamp(), a little after the handler
    # started); the claim time (attempted_at) is kept alongside for reference.
    psql_db run_jobs -At -c "
      SELECT $(printf "$ms_epoch_sql" 'r.ran_at') - (j.payload->>'t')::float8
        FROM test_job_runs r JOIN jobs j ON j.id = r.job_id" >"$file"
    psql_db run_jobs -At -c "
      SELECT $(printf "$ms_epoch_sql" 'attempted_at') - (payload->>'t')::float8
        FROM jobs WHERE attempted_at IS NOT NULL" >"$out/$row-latency-claim.txt"
  fi
  [ -s "$file" ] || die "$row: no latencies recorded"
  stats="$(node "$queue_js" stats "$file")"
  local n a b max
  read -r n a b max <<<"$stats"
  p50[$row]="$a"
  p99[$row]="$b"
  lat_note[$row]="$n jobs, max $max ms"
  [ "$n" = "$total" ] || lat_note[$row]="${lat_note[$row]}; only $n of $total jobs recorded"
  if [ -s "$out/$row-latency-claim.txt" ]; then
    read -r n a b max <<<"$(node "$queue_js" stats "$out/$row-latency-claim.txt")"
    lat_note[$row]="${lat_note[$row]}; to the claim: p50 $a, p99 $b ms"
  fi
  log "$row: p50 ${p50[$row]} ms, p99 ${p99[$row]} ms (${lat_note[$row]})"
}

# --- 5. the report ----------------------------------------------------------------------------
label() {
  case "$1" in
    keel) echo "keel-worker, 1 process, \`WORKER_QUEUES=default:$concurrency\`" ;;
    keel-x2) echo "keel-worker, 2 processes × \`default:$((concurrency / 2))\`" ;;
    keel-c100) echo "keel-worker, 1 process, \`default:100\` (100 in flight; context)" ;;
    graphile) echo "graphile-worker, concurrency $concurrency (otherwise defaults)" ;;
    graphile-batched) echo "graphile-worker, concurrency $concurrency, \`localQueue.size\` 100, \`completeJobBatchDelay\` 0" ;;
    pgboss) echo "pg-boss, $concurrency × \`work({ batchSize: 1 })\`" ;;
    pgboss-batch100) echo "pg-boss, $concurrency × \`work({ batchSize: 100 })\` (2,000 in flight; context)" ;;
    bullmq) echo "BullMQ, one \`Worker\`, concurrency $concurrency" ;;
  esac
}

# The peers whose concurrency matches keel's (20 jobs in flight); the best of them is the target.
equal_peers="graphile graphile-batched pgboss bullmq"
pick_best() {   # rows... -> the one with the highest jobs/s
  local r best="" v bv=0
  for r in "$@"; do
    v="${rate_of[$r]:-}"
    [ -n "$v" ] || continue
    if [ -z "$best" ] || [ "$v" -gt "$bv" ]; then best="$r"; bv="$v"; fi
  done
  echo "$best"
}
ratio() {   # row over row
  local a="${rate_of[$1]:-}" b="${rate_of[$2]:-}"
  if [ -z "$a" ] || [ -z "$b" ] || [ "$b" = 0 ]; then echo "—"; return; fi
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", a / b }'
}

x2_note() {
  local a="${rate_of[keel]:-}" b="${rate_of[keel-x2]:-}"
  [ -n "$a" ] && [ -n "$b" ] || return 0
  if [ "$b" -lt "$a" ]; then
    echo "A second process (\`keel-x2\`, $b jobs/s) is slower, not faster, on $cores cores: the two
workers compete with PostgreSQL for the same cores and with each other for the same rows."
  else
    echo "A second process (\`keel-x2\`) reaches $b jobs/s."
  fi
}

# What the drain figures come from: how keel-worker claims and completes, and what limits it.
notes() {
  local verdict_line
  if [ "$verdict" = missed ]; then
    verdict_line="**The target is missed** in this run."
  else
    verdict_line="The target is met in this run."
  fi
  cat <<EOF

$verdict_line How keel-worker drains: each queue keeps up to two claims in flight, each
for half of what it may hold (its $concurrency slots plus a buffer of what those slots finish in
about two claim round trips, at most $((2 * concurrency))), so the next batch is already claimed while one
runs; completions are written in one UPDATE per batch that finished while the previous one was
in flight; claim and completion commit with \`synchronous_commit\` off for their own
transaction only (a crash of PostgreSQL can lose one, which only makes a job run again: see
core/jobs/store.hpp). With no-op handlers the cost per job is PostgreSQL's: two row updates
(claim, completion) and their index entries, on the same $cores cores as the workers and the poller.
graphile-worker's \`localQueue\` fetches 100 jobs per query whatever its concurrency (its
default configuration, one job per query, is far slower), and BullMQ does one Redis round trip
per job against an in-memory Redis with no fsync. With 100 in flight (\`keel-c100\`) keel drains
at ${rate_of[keel-c100]:-—} jobs/s, $(ratio keel-c100 "$best") the best peer at $concurrency in flight. $(x2_note)
EOF
}

write_results() {
  local cpu cores mem kernel os date commit versions best best_any section
  cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  cores="$(nproc)"
  mem="$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  kernel="$(uname -r)"
  os="$(. /etc/os-release && echo "$PRETTY_NAME")"
  date="$(date -u '+%Y-%m-%d %H:%M UTC')"
  commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [ -n "$(git -C "$root" status --porcelain --untracked-files=normal -- \
        CMakeLists.txt cmake core api worker cron schema 2>/dev/null)" ]; then
    commit="$commit plus uncommitted changes"
  fi
  versions="$(cd "$here" && node -e '
    const v = (p) => require("./node_modules/" + p + "/package.json").version;
    console.log(`graphile-worker ${v("graphile-worker")}, pg-boss ${v("pg-boss")}, BullMQ ${v("bullmq")} (ioredis ${v("ioredis")})`)')"
  best="$(pick_best $equal_peers)"
  best_any="$(pick_best graphile graphile-batched pgboss pgboss-batch100 bullmq)"

  local table="" r
  for r in $rows; do
    local rt="${rate_of[$r]:-}" lat
    if [ -n "${p50[$r]:-}" ]; then lat="${p50[$r]} | ${p99[$r]} | ${lat_note[$r]}"; else lat="— | — | ${lat_note[$r]:-not run}"; fi
    local vs="—"
    case "$r" in keel*) [ -n "$best" ] && vs="$(ratio "$r" "$best")" ;; esac
    table+="| $(label "$r") | ${rt:-not run} | ${drain_note[$r]:-} | $vs | $lat |"$'\n'
  done

  verdict="not run"
  if [ -n "${rate_of[keel]:-}" ] && [ -n "$best" ]; then
    verdict="$(awk -v a="${rate_of[keel]}" -v b="${rate_of[$best]}" 'BEGIN { print (a / b >= 1.5 ? "met" : "missed") }')"
  fi

  section="$(cat <<EOF
<!-- jobs.sh: this section is rewritten by tests/bench/jobs.sh -->
## Job queues: keel-worker vs graphile-worker, pg-boss, BullMQ

Every system ran on the same machine, in the same run, one at a time, on the same PostgreSQL
cluster (BullMQ: a Redis started by the script, without persistence), with **$concurrency jobs in
flight** unless the row says otherwise. Compare the ratios, not the absolute numbers.

- Machine: $cpu, $cores cores, $mem RAM; $os, Linux $kernel; load average before the run: $load_before
- Date: $date; keel commit $commit
- Peers: Node $(node --version), $versions; PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }') (\`fsync=on\`); Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')
- Drain: $jobs_n no-op jobs enqueued in bulk before the worker starts; jobs/s = $jobs_n / (all completed − first job started); the median of $drain_runs drains, each from a fresh database
  (the time-limited 20-in-flight pg-boss drain runs once)
- Latency: $rate jobs/s for ${trickle_s} s enqueued one at a time by a separate producer; start of the handler − time before the enqueue call
- Reproduce: \`tests/bench/jobs.sh\` (see tests/bench/README.md, "Job queues"); raw output in tests/bench/out/jobs/

| configuration | drain jobs/s | drain runs | keel / best peer | latency p50 ms | latency p99 ms | latency notes |
| --- | ---: | ---: | ---: | ---: | ---: | --- |
${table}
Best peer at $concurrency in flight: **$( [ -n "$best" ] && label "$best" || echo "none measured")** at ${rate_of[$best]:-—} jobs/s.
keel (1 process) / best peer: **$(ratio keel "$best")** (target ≥ 1.5x: $verdict)$( [ -n "$best_any" ] && [ "$best_any" != "$best" ] && echo "; keel / the fastest peer row of any configuration ($(label "$best_any")): $(ratio keel "$best_any")").
keel (1 process) / each peer: graphile-worker $(ratio keel graphile), graphile-worker batched $(ratio keel graphile-batched), pg-boss $(ratio keel pgboss), pg-boss batch 100 $(ratio keel pgboss-batch100), BullMQ $(ratio keel bullmq).
$(notes)
<!-- jobs.sh: end -->
EOF
)"
  write_results_section "$results" jobs.sh "$section"
  log "updated ${results#"$root"/}"
  printf '%s\n' "$section"
}

# --- main -------------------------------------------------------------------------------------
mkdir -p "$out"
rm -f "$out"/*.log "$out"/*.txt
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for r in $rows; do row_system "$r" >/dev/null; done
ensure_tools
ensure_node_modules
build_keel
start_pg
start_redis
prepare_templates

for r in $rows; do
  measure_drain "$r"
  if [ "$r" = pgboss ]; then
    # 20 single-job workers polling every 0.5 s run at most ~40 jobs/s: below the trickle rate.
    lat_note[$r]="not measured: at most ~$((concurrency * 2)) jobs/s (each work() polls every 0.5 s), below $rate jobs/s"
  else
    measure_latency "$r"
  fi
done

write_results
