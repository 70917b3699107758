#!/usr/bin/env bash
# Product benchmark: keel-api's Community Rule routes against Hono + postgres.js doing the same
# job, and the cached template lookup against keel's own /health, in one run on one machine (the
# machine is shared and noisy, so only ratios mean anything). Not part of CI.
#
#   tests/bench/product.sh               build keel (Release), measure, update RESULTS.md
#   SKIP_BUILD=1 tests/bench/product.sh  use the existing build/release binaries
#
# What it measures, each server alone, with wrk -t2 -c64 after a warm-up:
#   1. GET /api/v1/rules/{id} signed out, keel with its cache off (CACHE_TTL=0s): one query per
#      request, against hono/product.mjs running the same query.
#   2. PUT /api/v1/drafts/me with a 20 KB payload: token check, session lookup, document limits,
#      upsert; against hono/product.mjs doing the same.
#   3. GET /api/v1/templates/{slug} from keel's cache (CACHE_TTL default) against keel's /health.
# Rate limits are off (RATE_LIMITS=false): they would refuse a load test, which is their job.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/out/product"
duration="${DURATION:-10s}"
warmup="${WARMUP:-3s}"
connections="${CONNECTIONS:-64}"
pg_port="${PG_PORT:-55499}"
keel_port=18091
hono_port=18092
results="${RESULTS:-$here/RESULTS.md}"

# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'product.sh: %s\n' "$*" >&2; exit 1; }
pids=()
pg_started=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  [ "$pg_started" = 0 ] || "$root/deploy/local/pg.sh" stop bench || true
}
trap cleanup EXIT

mkdir -p "$out"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
install_peers "$here"
build_release_servers "$root"

log "PostgreSQL (cluster bench, port $pg_port)"
admin_url="$("$root/deploy/local/pg.sh" start bench "$pg_port")"
pg_started=1
psql -q -X "$admin_url" -c "DROP DATABASE IF EXISTS keel_bench_product WITH (FORCE)" \
  -c "CREATE DATABASE keel_bench_product"
export DATABASE_URL="${admin_url%/postgres}/keel_bench_product"
LOG_LEVEL=warn "$root/build/release/keel-cron" run db.migrate
JWT_SIGNING_KEYS="$("$root/build/release/keel-cron" run auth.keygen)"
export JWT_SIGNING_KEYS

# keel-api on $keel_port with extra settings ("NAME=value ..."); sets keel_pid.
keel_pid=""
start_keel() {
  env HOST=127.0.0.1 PORT=$keel_port RATE_LIMITS=false ACCESS_LOG=false LOG_LEVEL=warn "$@" \
    "$root/build/release/keel-api" >>"$out/keel-api.log" 2>&1 &
  keel_pid=$!
  pids+=("$keel_pid")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$keel_port/health" >/dev/null && return; sleep 0.1; done
  die "keel-api did not start (see $out/keel-api.log)"
}
stop_keel() { kill "$keel_pid"; wait "$keel_pid" 2>/dev/null || true; }

postmaster() { head -n1 "$root/.local/pg-bench/data/postmaster.pid"; }

# One wrk run against the server with PID $2: "rps p99 server_cpu pg_cpu", the last two in CPU
# milliseconds per request. Fails on any non-2xx answer.
measure() {
  local name="$1" pid="$2"; shift 2
  wrk -t2 -c"$connections" -d"$warmup" "$@" >/dev/null 2>&1 || true
  local server_before pg_before
  server_before="$(cpu_ticks "$pid")" pg_before="$(cpu_ticks "$(postmaster)")"
  wrk -t2 -c"$connections" -d"$duration" --latency "$@" >"$out/$name.txt" 2>&1
  local server_cpu=$(($(cpu_ticks "$pid") - server_before)) pg_cpu=$(($(cpu_ticks "$(postmaster)") - pg_before))
  if grep -qE "Non-2xx|Socket errors" "$out/$name.txt"; then
    die "$name: errors under load, see $out/$name.txt"
  fi
  awk -v hz="$(getconf CLK_TCK)" -v s="$server_cpu" -v pg="$pg_cpu" '
    /^Requests\/sec/ { rps = $2 }
    /^ *[0-9]+ requests in/ { n = $1 }
    $1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
    END { printf "%.0f %.2f %.3f %.3f\n", rps, p99, s * 1000 / hz / n, pg * 1000 / hz / n }' "$out/$name.txt"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

log "keel-api, cache off (CACHE_TTL=0s), on 127.0.0.1:$keel_port"
start_keel CACHE_TTL=0s
api="http://127.0.0.1:$keel_port/api/v1"
# Draft savers: USERS accounts (default 256), each signed in once; their tokens, one per line.
export TOKENS_FILE="$out/tokens.txt"
: >"$TOKENS_FILE"
for i in $(seq "${USERS:-256}"); do
  curl -sf -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-$i-$(date +%s)@example.com\",\"password\":\"a benchmark password\"}" \
    "$api/auth/register" | json_field '["access_token"]' >>"$TOKENS_FILE"
done
export TOKEN="$(head -n1 "$TOKENS_FILE")"
rule_id="$(curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
  -d @"$here/product/rule.json" "$api/rules" | json_field '["id"]')"
[ -n "$rule_id" ] || die "publishing the rule failed"
# Statistics for the new rows now, so that an autovacuum started by them (a child of the
# postmaster, counted as PostgreSQL's CPU) does not land inside the first measurement.
psql -q -X "$DATABASE_URL" -c "VACUUM ANALYZE"
# The draft: a create-flow state of 20 KB (sections of entries, as the web client keeps it).
python3 - "$out/draft.json" <<'PY'
import json, sys
entries = [{"title": f"Entry {i}", "body": "We decide by consent after one week of comments. " * 7}
           for i in range(52)]
body = {"payload": {"step": "review", "title": "Garden collective", "sections": entries}}
text = json.dumps(body, separators=(",", ":"))
assert 19_000 < len(text) < 21_000, len(text)
open(sys.argv[1], "w").write(text)
PY
export DRAFT_FILE="$out/draft.json"
draft_bytes="$(wc -c <"$DRAFT_FILE")"
upload_body='{"purpose":"method_attachment","content_type":"application/pdf","byte_length":48000,"file_name":"bylaws.pdf"}'
printf '%s' "$upload_body" >"$out/upload.json"
curl -sf -X PUT -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
  --data-binary @"$DRAFT_FILE" "$api/drafts/me" >/dev/null || die "keel refused the draft"

log "keel: GET /api/v1/rules/$rule_id (cache off)"
read -r keel_rule_rps keel_rule_p99 keel_rule_cpu keel_rule_pg < <(measure keel-rule "$keel_pid" "$api/rules/$rule_id")
log "keel: PUT /api/v1/drafts/me ($draft_bytes bytes)"
export BODY_FILE="$DRAFT_FILE" METHOD=PUT
read -r keel_draft_rps keel_draft_p99 keel_draft_cpu keel_draft_pg < <(measure keel-draft "$keel_pid" -s "$here/product/as_users.lua" "$api/drafts/me")
stop_keel

log "keel-api, cache on (CACHE_TTL default, in-process)"
start_keel
slug="$(curl -sf "$api/templates?limit=1" | json_field '["data"][0]["slug"]')"
curl -sf "$api/templates/$slug" >/dev/null || die "GET /templates/$slug failed"
log "keel: GET /health"
read -r health_rps health_p99 _ _ < <(measure keel-health "$keel_pid" "http://127.0.0.1:$keel_port/health")
log "keel: GET /api/v1/templates/$slug (cached)"
read -r template_rps template_p99 _ _ < <(measure keel-template "$keel_pid" "$api/templates/$slug")
stop_keel

# Uploads: S3 is configured but never contacted here (presigning is local; the endpoint is a
# closed port), the daily quota raised out of the benchmark's way.
log "keel-api with storage settings: POST /api/v1/uploads and GET /api/v1/uploads/{id}"
start_keel S3_ENDPOINT=http://127.0.0.1:9 S3_REGION=us-east-1 S3_BUCKET=keel-bench \
  S3_ACCESS_KEY_ID=bench S3_SECRET_ACCESS_KEY=bench-secret-key S3_FORCE_PATH_STYLE=true \
  UPLOAD_DAILY_COUNT=1000000 UPLOAD_DAILY_BYTES=1000000000000
upload_id="$(curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
  -d "$upload_body" \
  "$api/uploads" | json_field '["id"]')"
# Made ready the way completing it would (the bytes' check needs the S3 server, not measured).
psql -q -X "$DATABASE_URL" -c "UPDATE uploads SET status = 'ready' WHERE id = '$upload_id'"
curl -sf -H "Authorization: Bearer $TOKEN" "$api/uploads/$upload_id" | grep -q 'X-Amz-Signature' \
  || die "GET /uploads/$upload_id has no presigned URL"
log "keel: GET /health (storage settings)"
read -r upload_health_rps upload_health_p99 _ _ < <(measure keel-health-uploads "$keel_pid" "http://127.0.0.1:$keel_port/health")
log "keel: POST /api/v1/uploads"
export BODY_FILE="$out/upload.json" METHOD=POST
read -r create_rps create_p99 create_cpu create_pg < <(measure keel-upload-create "$keel_pid" -s "$here/product/as_users.lua" "$api/uploads")
log "keel: GET /api/v1/uploads/$upload_id"
read -r read_rps read_p99 read_cpu read_pg < <(measure keel-upload-read "$keel_pid" -s "$here/product/bearer.lua" "$api/uploads/$upload_id")

# The peer verifies tokens against keel's published keys, which it reads once at start.
jwks_url="http://127.0.0.1:$keel_port/.well-known/jwks.json"

stop_keel
start_keel  # the peer reads keel's published keys at its start
log "Hono + postgres.js on 127.0.0.1:$hono_port"
DATABASE_URL="$DATABASE_URL" JWKS_URL="$jwks_url" PORT=$hono_port node "$here/hono/product.mjs" \
  >"$out/hono.log" 2>&1 &
hono_pid=$!
pids+=("$hono_pid")
peer="http://127.0.0.1:$hono_port/api/v1"
for _ in $(seq 100); do curl -sf "$peer/rules/$rule_id" >/dev/null && break; sleep 0.1; done
stop_keel  # the peer has read the keys; keel stays out of the peer's measurements
curl -sf -X PUT -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
  --data-binary @"$DRAFT_FILE" "$peer/drafts/me" >/dev/null || die "the peer refused the draft"
log "hono: GET /api/v1/rules/$rule_id"
read -r hono_rule_rps hono_rule_p99 hono_rule_cpu hono_rule_pg < <(measure hono-rule "$hono_pid" "$peer/rules/$rule_id")
log "hono: PUT /api/v1/drafts/me"
export BODY_FILE="$DRAFT_FILE" METHOD=PUT
read -r hono_draft_rps hono_draft_p99 hono_draft_cpu hono_draft_pg < <(measure hono-draft "$hono_pid" -s "$here/product/as_users.lua" "$peer/drafts/me")

section="$(cat <<MD
<!-- product.sh: this section is rewritten by tests/bench/product.sh -->
## Product routes: keel vs Hono + postgres.js, and the cached template lookup

keel-api (release, $(nproc) loops) and Hono + postgres.js (\`hono/product.mjs\`, one Node
process per core, a pool of 10 split across them as keel splits its pool across its loops), each
alone, rate limits off, wrk -t2 -c$connections, $duration each after a $warmup warm-up;
$(date -u +%F), load average before: $(cut -d' ' -f1-3 /proc/loadavg). Reproduce:
\`tests/bench/product.sh\`; raw output in tests/bench/out/product/.

| measurement | keel req/s | keel p99 ms | peer req/s | peer p99 ms | ratio | target |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| GET /api/v1/rules/{id}, signed out, keel's cache off | $keel_rule_rps | $keel_rule_p99 | $hono_rule_rps | $hono_rule_p99 | $(ratio "$keel_rule_rps" "$hono_rule_rps") | ≥ 3x |
| PUT /api/v1/drafts/me, $draft_bytes-byte payload | $keel_draft_rps | $keel_draft_p99 | $hono_draft_rps | $hono_draft_p99 | $(ratio "$keel_draft_rps" "$hono_draft_rps") | ≥ 3x |
| GET /api/v1/templates/{slug} from the cache, vs keel's GET /health | $template_rps | $template_p99 | $health_rps | $health_p99 | $(ratio "$template_rps" "$health_rps") | ≥ 0.7x |

CPU milliseconds per request (the server's own, all its threads or processes / PostgreSQL's
backends), which shows where each run's time went on the shared cores:

| measurement | keel | keel's PostgreSQL | peer | peer's PostgreSQL |
| --- | ---: | ---: | ---: | ---: |
| GET /api/v1/rules/{id} | $keel_rule_cpu | $keel_rule_pg | $hono_rule_cpu | $hono_rule_pg |
| PUT /api/v1/drafts/me | $keel_draft_cpu | $keel_draft_pg | $hono_draft_cpu | $hono_draft_pg |

Presigned uploads (issue 11's target: presign requests/s ≥ 0.5x of /health), keel alone with
its storage settings, against its own /health in that run ($upload_health_rps req/s, p99
$upload_health_p99 ms):

| measurement | req/s | p99 ms | ratio to /health | keel CPU ms/req | PostgreSQL CPU ms/req |
| --- | ---: | ---: | ---: | ---: | ---: |
| POST /api/v1/uploads: quota check, pending row, presigned PUT (as the next of ${USERS:-256} users) | $create_rps | $create_p99 | $(ratio "$create_rps" "$upload_health_rps") | $create_cpu | $create_pg |
| GET /api/v1/uploads/{id}: session, row, presigned GET | $read_rps | $read_p99 | $(ratio "$read_rps" "$upload_health_rps") | $read_cpu | $read_pg |

Both servers do the same work per request: the rule read is keel's \`find_rule\` query (the row
and the viewer's relation, none when signed out) answered as JSON with its ETag; the draft save
(as the next of ${USERS:-256} users, each request) verifies the EdDSA access token (cached per process or loop after the first check), looks the
session and its user up, holds the payload to the document limits (depth, strings, keys,
items, reserved keys) and runs the same upsert, every one committed with \`fsync=on\`.
The template row is the third line: keel's cache holds the encoded answer, so a hit costs a
lookup and a write, which is why it runs near /health.
<!-- product.sh: end -->
MD
)"
write_results_section "$results" product.sh "$section"
printf '%s\n' "$section"
