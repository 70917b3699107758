#!/usr/bin/env bash
# Installs, builds and runs the whole test suite against real servers on loopback ports:
# a throwaway PostgreSQL 15 cluster, an SMTP sink, a Redis and an S3 server (each on its own port),
# started here and stopped at the end.
#   deploy/local/test.sh                 build (debug preset) and run every test
#   deploy/local/test.sh asan            the same under AddressSanitizer + UBSan (or PRESET=asan)
#   deploy/local/test.sh tsan -R redis   ThreadSanitizer, only the tests matching a regex
#   deploy/local/test.sh -R auth         any ctest arguments after the optional preset
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
preset="${PRESET:-debug}"
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
  preset="$1"
  shift
fi
# One ccache for every clone and worktree: paths relative to the checkout, and the build
# directory left out of the hash (it only reaches the debug information).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
# A race report fails the test (exit code 66 at the end); suppressions only for third-party code.
if [ "$preset" = tsan ]; then
  export TSAN_OPTIONS="suppressions=$root/tests/tsan.supp second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
fi
# ASan keeps freed memory in a quarantine (256 MiB by default) to catch use after free; the
# tests that bound keel-api's memory would measure that instead of keel. A small quarantine
# still catches most uses after free, and a leak or an error still fails the test.
if [ "$preset" = asan ]; then
  export ASAN_OPTIONS="quarantine_size_mb=8 malloc_context_size=20 ${ASAN_OPTIONS:-}"
fi
pg_name="test"
# The first free loopback port from 55433 on, so that a developer's own servers never clash.
free_port() {
  local p=$1
  while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

"$root/deploy/local/install-deps.sh"

cmake --preset "$preset" >/dev/null
# KEEL_BUILD_TARGETS: build only these targets (CI's TSan phase runs no end-to-end test).
cmake --build --preset "$preset" ${KEEL_BUILD_TARGETS:+--target $KEEL_BUILD_TARGETS}

smtp_pid="" smtp_dir="" redis_pid="" redis_dir="" s3_pid="" s3_dir=""
cleanup() {
  [ -z "$s3_pid" ] || kill "$s3_pid" 2>/dev/null || true
  [ -z "$s3_dir" ] || rm -rf "$s3_dir" "$s3_dir.log"
  [ -z "$smtp_pid" ] || kill "$smtp_pid" 2>/dev/null || true
  [ -z "$smtp_dir" ] || rm -rf "$smtp_dir" "$smtp_dir.log"
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  [ -z "$redis_dir" ] || rm -rf "$redis_dir" "$redis_dir.log"
  PG_FSYNC=off "$root/deploy/local/pg.sh" stop "$pg_name" || true
}
trap cleanup EXIT

# Picked after the build, which can take minutes while other checkouts start their own servers.
pg_port="${KEEL_TEST_PG_PORT:-$(free_port 55433)}"
# fsync off: a test cluster holds nothing worth keeping, and it makes tests faster.
admin_url="$(PG_FSYNC=off "$root/deploy/local/pg.sh" start "$pg_name" "$pg_port")"

# Every test database is cloned from one migrated template (CREATE DATABASE ... TEMPLATE).
psql -q -X -v ON_ERROR_STOP=1 "$admin_url" <<SQL >/dev/null
SELECT format('DROP DATABASE %I', datname) FROM pg_database WHERE datname LIKE 'keel_t_%' \gexec
DROP DATABASE IF EXISTS keel_template;
CREATE DATABASE keel_template;
SQL
DATABASE_URL="${admin_url%/postgres}/keel_template" LOG_LEVEL=warn \
  "build/$preset/keel-cron" run db.migrate

# The programs the tests start run as on a developer's machine, whatever the shell says.
export APP_ENV=development
export KEEL_TEST_PG_URL="$admin_url"
export KEEL_TEST_PG_NAME="$pg_name"
export KEEL_TEST_TEMPLATE_DB="keel_template"

# A real SMTP server on loopback that keeps every message it accepts as a file for the tests
# to read back (Debian's python3-aiosmtpd, so /usr/bin/python3 rather than the first python3).
smtp_port="$(free_port 55525)"
smtp_dir="$(mktemp -d /tmp/keel-smtp-sink.XXXXXX)"
/usr/bin/python3 "$root/deploy/local/smtp_sink.py" "$smtp_dir" "$smtp_port" >"$smtp_dir.log" 2>&1 &
smtp_pid=$!
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break; sleep 0.1; done
export KEEL_TEST_SMTP_PORT="$smtp_port"
export KEEL_TEST_SMTP_DIR="$smtp_dir"

# A throwaway Redis on loopback: nothing saved to disk, stopped by its PID at the end.
redis_port="${KEEL_TEST_REDIS_PORT:-$(free_port 56379)}"
redis_dir="$(mktemp -d /tmp/keel-redis.XXXXXX)"
redis-server --save "" --appendonly no --bind 127.0.0.1 --port "$redis_port" --daemonize no \
  --dir "$redis_dir" >"$redis_dir.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break; sleep 0.1; done
export KEEL_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export KEEL_TEST_REDIS_PORT="$redis_port"

# The npm packages the tests run, one folder each under tests/e2e: installed (npm ci) again
# only when the folder's package-lock.json changed since its last install.
npm_tools() {
  local dir="$root/tests/e2e/$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
    [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    command -v npm >/dev/null || { echo "test.sh: npm (Node.js 20) is needed for tests/e2e/$1" >&2; exit 1; }
    npm ci --prefix "$dir" --no-audit --no-fund >/dev/null 2>&1
  fi
}
# jose, the standard JOSE library tests/e2e/jwt_jose_test.cpp checks keel's tokens with.
npm_tools jose
export KEEL_TEST_JOSE_DIR="$root/tests/e2e/jose"
# Redocly, openapi-typescript and tsc, which tests/e2e/openapi_ecosystem_test.cpp feeds the
# served /openapi.json to.
npm_tools openapi
export KEEL_TEST_OPENAPI_DIR="$root/tests/e2e/openapi"
# npm ws and eventsource, the clients tests/e2e/realtime_test.cpp opens keel's WebSockets and
# event streams with.
npm_tools realtime
export KEEL_TEST_REALTIME_DIR="$root/tests/e2e/realtime"
# A real S3-compatible server (npm @20minutes/s3rver, which verifies Signature V4) on loopback,
# with the AWS SDK that tests/integration/storage_test.cpp cross-checks keel's presigned URLs
# with.
npm_tools s3
s3_tools="$root/tests/e2e/s3"
# Port 0: the server takes a free port itself and names it, so parallel runs never collide.
s3_dir="$(mktemp -d /tmp/keel-s3.XXXXXX)"
NODE_NO_WARNINGS=1 node "$s3_tools/server.mjs" 0 "$s3_dir" keel-test >"$s3_dir.log" 2>&1 &
s3_pid=$!
s3_port=""
for _ in $(seq 100); do
  s3_port="$(sed -n 's/^s3rver listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$s3_dir.log")"
  [ -n "$s3_port" ] && break
  sleep 0.1
done
[ -n "$s3_port" ] || { echo "test.sh: the S3 server did not start:" >&2; cat "$s3_dir.log" >&2; exit 1; }
export KEEL_TEST_S3_PORT="$s3_port" KEEL_TEST_S3_BUCKET=keel-test KEEL_TEST_S3_TOOLS="$s3_tools"

# What failed, in a few lines at the very end: CI keeps the head and the tail of a long log,
# and a failed test's own output sits in its middle.
failure_digest() {
  local log="$root/build/$preset/Testing/Temporary/LastTest.log"
  [ -f "$log" ] || return 0
  echo "test.sh: what failed (the full output is in $log):"
  grep -E -A3 '^[^ ].*: FAILED:$|^#[0-9]+ \[[a-z_0-9]+\] ' "$log" |
    grep -vE '^--$|^  request:' | cut -c1-240 | head -40
}

# One test at a time: some tests stop and restart the PostgreSQL server (or a Redis).
ctest --preset "$preset" --timeout 300 "$@" || {
  status=$?
  failure_digest
  exit "$status"
}
