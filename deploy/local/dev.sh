#!/usr/bin/env bash
# Installs, builds, starts a project-local PostgreSQL (under .local/, no Docker), migrates,
# then runs keel-worker in the background and keel-api in the foreground with readable logs.
# Ctrl-C stops all of it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
preset="${PRESET:-debug}"

"$root/deploy/local/install-deps.sh"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"

admin_url="$("$root/deploy/local/pg.sh" start dev ${KEEL_DEV_PG_PORT:-})"
psql -q -X "$admin_url" -tc "SELECT 1 FROM pg_database WHERE datname = 'keel_dev'" | grep -q 1 ||
  psql -q -X "$admin_url" -c "CREATE DATABASE keel_dev" >/dev/null

# The access-token signing key: made once by keel-cron (no database needed) and kept in
# .local/ (git-ignored), so that tokens survive a restart. An exported JWT_SIGNING_KEYS wins.
keys_file="$root/.local/jwt_signing_keys"
if [ -z "${JWT_SIGNING_KEYS:-}" ]; then
  if [ ! -s "$keys_file" ]; then
    mkdir -p "$root/.local"
    (umask 077 && "build/$preset/keel-cron" run auth.keygen >"$keys_file.new")
    mv "$keys_file.new" "$keys_file"
  fi
  JWT_SIGNING_KEYS="$(cat "$keys_file")"
  export JWT_SIGNING_KEYS
fi

export DATABASE_URL="${DATABASE_URL:-${admin_url%/postgres}/keel_dev}"
export LOG_FORMAT="${LOG_FORMAT:-pretty}"
# development: keel-worker may log mail instead of sending it (no SMTP_URL needed).
export APP_ENV="${APP_ENV:-development}"
export CORS_ORIGINS="${CORS_ORIGINS:-http://localhost:3000}"

"build/$preset/keel-cron" run db.migrate

worker_pid=""
cleanup() {
  [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null || true
  "$root/deploy/local/pg.sh" stop dev
}
trap cleanup EXIT

"build/$preset/keel-worker" &
worker_pid=$!
echo "keel-api on http://127.0.0.1:${PORT:-8080} (try /health, /api/v1/templates, /docs); Ctrl-C stops"
"build/$preset/keel-api"
