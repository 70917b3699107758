#!/usr/bin/env bash
# keel built by GCC 12 and by clang 16 (Release each), measured in one run on one machine:
# GET /health, the template lookup and the job drain. Not part of CI.
#
#   tests/bench/compilers.sh                build both (presets release-gcc and release), measure,
#                                           update the "Compilers" section of RESULTS.md
#   SKIP_BUILD=1 tests/bench/compilers.sh   reuse build/release-gcc and build/release
#
# HTTP is measured as run.sh measures keel (wrk -t2 -c64 --latency after a warm-up, keel-api
# with one event loop per core and LOG_LEVEL=warn), both builds running side by side and measured
# in turn, GCC first, for ROUNDS rounds (medians reported), with keel-api's user and kernel CPU
# time per request: the machine's noise moves requests/s far more than it moves CPU per request.
# The drain and the latency come from jobs.sh's keel row (SYSTEMS=keel), run once per build.
#
# Environment (all optional):
#   DURATION=10s  WARMUP=3s  CONNECTIONS=64  WRK_THREADS=2   as in run.sh
#   ROUNDS=3                  HTTP rounds, each measuring both builds
#   PG_PORT=55496             port of the project-local PostgreSQL cluster "bench-compilers"
#   JOBS, DRAIN_RUNS, TRICKLE_SECONDS  passed on to jobs.sh
#   RESULTS=path              the markdown file whose "Compilers" section is (re)written
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
root="$(cd "$here/../.." && pwd)"
out="$here/out/compilers"           # raw wrk output, jobs.sh sections and logs (git-ignored)

duration="${DURATION:-10s}"
warmup="${WARMUP:-3s}"
connections="${CONNECTIONS:-64}"
wrk_threads="${WRK_THREADS:-2}"
rounds="${ROUNDS:-3}"
pg_port="${PG_PORT:-55496}"
results="${RESULTS:-$here/RESULTS.md}"
keel_port=18084
presets=(release-gcc release)
declare -A compiler_of=([release-gcc]="GCC 12" [release]="clang 16")

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'compilers.sh: %s\n' "$*" >&2; exit 1; }

# --- cleanup: everything this script starts is stopped by PID on exit ------------------------
server_pids=()
pg_started=0
cleanup() {
  stop_servers
  if [ "$pg_started" = 1 ]; then "$root/deploy/local/pg.sh" stop bench-compilers || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_servers() {
  local pid
  for pid in "${server_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  server_pids=()
}

mkdir -p "$out"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- tools and builds -------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  "$root/deploy/local/install-deps.sh"
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
  for p in "${presets[@]}"; do
    log "building keel with ${compiler_of[$p]} (preset $p)"
    (cd "$root" && cmake --preset "$p" >/dev/null &&
      cmake --build --preset "$p" --target keel-api keel-cron keel-worker)
  done
fi
for p in "${presets[@]}"; do
  for b in keel-api keel-cron keel-worker; do
    [ -x "$root/build/$p/$b" ] || die "build/$p/$b is missing"
  done
done

# --- HTTP: /health and the template lookup, the builds alternating round by round -------------
log "starting PostgreSQL (project-local cluster 'bench-compilers' on 127.0.0.1:$pg_port)"
pg_started=1
pg_admin_url="$("$root/deploy/local/pg.sh" start bench-compilers "$pg_port" | tail -n1)"
[ -n "$pg_admin_url" ] || die "deploy/local/pg.sh printed no URL"
db_url="${pg_admin_url%/*}/keel_bench"
psql -X -q -v ON_ERROR_STOP=1 "$pg_admin_url" \
  -c "DROP DATABASE IF EXISTS keel_bench WITH (FORCE)" -c "CREATE DATABASE keel_bench"
DATABASE_URL="$db_url" LOG_LEVEL=warn "$root/build/release/keel-cron" run db.migrate
slug="$(psql -X -At -v ON_ERROR_STOP=1 "$db_url" \
  -c "SELECT slug FROM governance_templates ORDER BY (NOT featured), sort_order, title LIMIT 1")"
[ -n "$slug" ] || die "governance_templates has no rows: nothing to look up"

# The server's user and kernel CPU time so far, in clock ticks: "user system".
cpu_split() { awk '{ print $14, $15 }' "/proc/$1/stat"; }

declare -A rps p99 user_us sys_us samples
# One wrk run against a running server -> requests/s, p99 in ms (the same parsing as run.sh) and
# the server's user and kernel CPU microseconds per request; errors fail the run. Each figure is
# appended to its key's list, one per round.
measure() {
  local key="$1" url="$2" pid="$3" round="$4" file="$out/wrk-$1-$4.txt" before after
  log "wrk $key (round $round): $url"
  wrk -t"$wrk_threads" -c"$connections" -d"$warmup" "$url" >/dev/null
  before="$(cpu_split "$pid")"
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency "$url" | tee "$file" >&2
  after="$(cpu_split "$pid")"
  if grep -qE 'Non-2xx|Socket errors' "$file"; then die "$key: wrk saw errors (see $file)"; fi
  local requests tick_us
  requests="$(awk '$2 == "requests" && $3 == "in" { print $1 }' "$file")"
  tick_us=$((1000000 / $(getconf CLK_TCK)))
  rps[$key]+="$(wrk_rps "$file") "
  p99[$key]+="$(wrk_p99_ms "$file") "
  read -r u0 s0 <<<"$before"
  read -r u1 s1 <<<"$after"
  user_us[$key]+="$(awk -v t=$(((u1 - u0) * tick_us)) -v n="$requests" 'BEGIN { printf "%.2f", t / n }') "
  sys_us[$key]+="$(awk -v t=$(((s1 - s0) * tick_us)) -v n="$requests" 'BEGIN { printf "%.2f", t / n }') "
}
# The median of a space-separated list of numbers.
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Both builds run side by side on their own ports, idle but for the one being measured, so that a
# round measures each in turn within seconds and a slow stretch of the machine hits both.
declare -A pid_of port_of
port=$keel_port
for p in "${presets[@]}"; do
  port_of[$p]=$port
  env DATABASE_URL="$db_url" PORT="$port" HOST=127.0.0.1 LOG_LEVEL=warn \
    JWT_SIGNING_KEYS="$("$root/build/$p/keel-cron" run auth.keygen)" \
    "$root/build/$p/keel-api" >"$out/keel-api-$p.log" 2>&1 &
  pid_of[$p]=$!
  server_pids+=("$!")
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$port/api/v1/templates/$slug" | grep -q "\"$slug\"" ||
    die "keel-api ($p) did not answer the template lookup (see $out/keel-api-$p.log)"
  port=$((port + 1))
done
for round in $(seq "$rounds"); do
  for p in "${presets[@]}"; do
    log "round $round: keel-api built with ${compiler_of[$p]}"
    measure "health-$p" "http://127.0.0.1:${port_of[$p]}/health" "${pid_of[$p]}" "$round"
    measure "template-$p" "http://127.0.0.1:${port_of[$p]}/api/v1/templates/$slug" "${pid_of[$p]}" "$round"
  done
done
stop_servers
"$root/deploy/local/pg.sh" stop bench-compilers
pg_started=0

# --- the job drain and latency: jobs.sh's keel row, once per build ----------------------------
declare -A drain drain_runs lat50 lat99
for p in "${presets[@]}"; do
  log "jobs.sh (keel only) with keel-worker built by ${compiler_of[$p]}"
  section="$out/jobs-$p.md"
  rm -f "$section"
  SKIP_BUILD=1 KEEL_BIN="$root/build/$p" SYSTEMS=keel RESULTS="$section" "$here/jobs.sh"
  row="$(grep -m1 '^| keel-worker, 1 process' "$section")" || die "no keel row in $section"
  drain[$p]="$(awk -F'|' '{ gsub(/ /, "", $3); print $3 }' <<<"$row")"
  drain_runs[$p]="$(awk -F'|' '{ sub(/^ +/, "", $4); sub(/ +$/, "", $4); print $4 }' <<<"$row")"
  lat50[$p]="$(awk -F'|' '{ gsub(/ /, "", $6); print $6 }' <<<"$row")"
  lat99[$p]="$(awk -F'|' '{ gsub(/ /, "", $7); print $7 }' <<<"$row")"
done

# --- RESULTS.md -------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "—" }'; }
gcc_version="$(g++-12 --version | head -n1)"
clang_version="$(clang++-16 --version | head -n1)"
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
commit="$(git -C "$root" rev-parse --short HEAD)"
g=release-gcc c=release
section="<!-- compilers.sh: this section is rewritten by tests/bench/compilers.sh -->
## Compilers: keel built by GCC 12 and by clang 16

The same commit built with each compiler (Release, \`-O3\` as CMake's Release sets it, the same
flags otherwise), measured one after the other in the same run. Ratios are clang / GCC: above
1.00x clang's build is faster (for p99 latency, below 1.00x is better).

- Machine: $machine; load average before the run: $load_before
- Date: $(date -u '+%Y-%m-%d %H:%M') UTC; keel commit $commit
- Compilers: $gcc_version; $clang_version (both with libstdc++ 12)
- HTTP: \`wrk -t$wrk_threads -c$connections -d$duration --latency\` after a $warmup warm-up, as run.sh, in
  $rounds rounds with the builds alternating (median per build; every round's figures:
  requests/s GCC [${rps[health-$g]% }] clang [${rps[health-$c]% }] for /health); CPU per request from
  /proc/<pid>/stat over each measured run;
  drain and latency: jobs.sh's \`keel\` row (\`SYSTEMS=keel\`), once per build
- Reproduce: \`tests/bench/compilers.sh\` (see tests/bench/README.md, \"Compilers\"); raw output in tests/bench/out/compilers/

| measurement | GCC 12 | clang 16 | clang / GCC |
| --- | ---: | ---: | ---: |
| \`GET /health\` requests/s | $(median "${rps[health-$g]}") | $(median "${rps[health-$c]}") | $(ratio "$(median "${rps[health-$c]}")" "$(median "${rps[health-$g]}")") |
| \`GET /health\` p99 ms | $(median "${p99[health-$g]}") | $(median "${p99[health-$c]}") | $(ratio "$(median "${p99[health-$c]}")" "$(median "${p99[health-$g]}")") |
| \`GET /health\` keel-api user CPU µs/request | $(median "${user_us[health-$g]}") | $(median "${user_us[health-$c]}") | $(ratio "$(median "${user_us[health-$c]}")" "$(median "${user_us[health-$g]}")") |
| \`GET /health\` keel-api kernel CPU µs/request | $(median "${sys_us[health-$g]}") | $(median "${sys_us[health-$c]}") | $(ratio "$(median "${sys_us[health-$c]}")" "$(median "${sys_us[health-$g]}")") |
| \`GET /api/v1/templates/$slug\` requests/s | $(median "${rps[template-$g]}") | $(median "${rps[template-$c]}") | $(ratio "$(median "${rps[template-$c]}")" "$(median "${rps[template-$g]}")") |
| \`GET /api/v1/templates/$slug\` p99 ms | $(median "${p99[template-$g]}") | $(median "${p99[template-$c]}") | $(ratio "$(median "${p99[template-$c]}")" "$(median "${p99[template-$g]}")") |
| \`GET /api/v1/templates/$slug\` keel-api user CPU µs/request | $(median "${user_us[template-$g]}") | $(median "${user_us[template-$c]}") | $(ratio "$(median "${user_us[template-$c]}")" "$(median "${user_us[template-$g]}")") |
| \`GET /api/v1/templates/$slug\` keel-api kernel CPU µs/request | $(median "${sys_us[template-$g]}") | $(median "${sys_us[template-$c]}") | $(ratio "$(median "${sys_us[template-$c]}")" "$(median "${sys_us[template-$g]}")") |
| job drain jobs/s (${drain_runs[$g]} / ${drain_runs[$c]}) | ${drain[$g]} | ${drain[$c]} | $(ratio "${drain[$c]}" "${drain[$g]}") |
| job latency p50 ms | ${lat50[$g]} | ${lat50[$c]} | $(ratio "${lat50[$c]}" "${lat50[$g]}") |
| job latency p99 ms | ${lat99[$g]} | ${lat99[$c]} | $(ratio "${lat99[$c]}" "${lat99[$g]}") |
<!-- compilers.sh: end -->"
write_results_section "$results" compilers.sh "$section"
log "wrote the Compilers section of $results"
