// Hono + postgres.js: the peer of keel-api's product routes in tests/bench/product.sh.
//   GET /api/v1/rules/:id   a published rule read signed out: keel's find_rule query, as JSON
//   PUT /api/v1/drafts/me   save the caller's draft: the same checks and the same upsert
// The PUT does what keel's does per request: verify the EdDSA access token (verified tokens
// kept per process, as keel keeps them per event loop), look the session and its user up,
// hold the payload to keel's document limits, upsert, answer the draft with its ETag.
//   DATABASE_URL=postgresql://... JWKS_URL=http://127.0.0.1:PORT/.well-known/jwks.json \
//   PORT=8085 node hono/product.mjs
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import postgres from 'postgres';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { run_clustered, worker_count } from './cluster.mjs';

const port = Number(process.env.PORT ?? 8085);
const pool_total = Number(process.env.PG_POOL ?? 10);
const { DATABASE_URL: database_url, JWKS_URL: jwks_url, ISSUER: issuer = 'keel' } = process.env;
if (!database_url || !jwks_url) {
  console.error('DATABASE_URL and JWKS_URL are required');
  process.exit(2);
}

const uuid_pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const problem = (c, status, title) => c.json({ type: 'about:blank', title, status }, status);

// keel's document_limits (core/catalog/sections.hpp) and reserved keys.
const limits = { max_bytes: 512 * 1024, max_depth: 40, max_string: 50_000, max_items: 5_000, max_keys: 500 };
const reserved = new Set(['__proto__', 'constructor', 'prototype']);
function within_limits(value, depth) {
  if (typeof value === 'string') return value.length <= limits.max_string;
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return true;
  if (depth > limits.max_depth) return false;
  if (Array.isArray(value)) {
    return value.length <= limits.max_items && value.every((v) => within_limits(v, depth + 1));
  }
  const keys = Object.keys(value);
  if (keys.length > limits.max_keys) return false;
  return keys.every(
    (k) => k.length <= limits.max_string && !reserved.has(k) && within_limits(value[k], depth + 1),
  );
}

async function start() {
  const jwks = createLocalJWKSet(await (await fetch(jwks_url)).json());
  const sql = postgres(database_url, { max: Math.max(1, Math.floor(pool_total / worker_count())) });
  const verified = new Map(); // token -> claims, bounded like keel's per-loop cache
  async function claims_of(authorization) {
    if (!authorization?.toLowerCase().startsWith('bearer ')) return null;
    const token = authorization.slice(7);
    const now = Date.now() / 1000;
    let claims = verified.get(token);
    if (!claims) {
      try {
        ({ payload: claims } = await jwtVerify(token, jwks, { issuer, algorithms: ['EdDSA'] }));
      } catch {
        return null;
      }
      if (verified.size >= 10_000) verified.clear();
      verified.set(token, claims);
    }
    return claims.exp > now ? claims : null;
  }

  const app = new Hono();
  app.get('/api/v1/rules/:id', async (c) => {
    const id = c.req.param('id');
    if (!uuid_pattern.test(id)) return problem(c, 404, 'Not Found');
    const rows = await sql`
      SELECT r.id, r.title, r.summary, r.document, r.created_at, r.updated_at, r.owner_id, r.version,
             CASE WHEN ${null}::uuid IS NULL THEN NULL
                  WHEN r.owner_id = ${null}::uuid THEN 'owner'
                  WHEN EXISTS (SELECT 1 FROM rule_stakeholders s
                                WHERE s.rule_id = r.id AND s.user_id = ${null}::uuid) THEN 'stakeholder'
             END AS viewer_role
        FROM rules r WHERE r.id = ${id}`;
    if (rows.length === 0) return problem(c, 404, 'Not Found');
    const r = rows[0];
    c.header('ETag', `"${r.version}"`);
    c.header('Cache-Control', 'no-cache');
    return c.json({
      id: r.id, title: r.title, summary: r.summary, document: r.document,
      created_at: r.created_at, updated_at: r.updated_at, viewer_role: r.viewer_role,
    });
  });

  app.put('/api/v1/drafts/me', async (c) => {
    const claims = await claims_of(c.req.header('Authorization'));
    if (!claims) return problem(c, 401, 'Unauthorized');
    const [session] = await sql`
      SELECT u.id, u.email, u.name, u.email_verified_at IS NOT NULL AS verified, u.role, u.created_at
        FROM auth_sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id = ${claims.sid}
         AND s.ended_at IS NULL AND s.expires_at > now() AND s.idle_expires_at > now()
         AND u.disabled_at IS NULL`;
    if (!session || session.id !== claims.sub) return problem(c, 401, 'Unauthorized');
    const text = await c.req.text();
    if (text.length > limits.max_bytes) return problem(c, 413, 'Payload Too Large');
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return problem(c, 400, 'Bad Request');
    }
    const payload = body?.payload;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload) ||
        !within_limits(payload, 1)) {
      return problem(c, 422, 'Unprocessable Content');
    }
    const [draft] = await sql`
      INSERT INTO rule_drafts (user_id, payload) VALUES (${session.id}, ${sql.json(payload)})
      ON CONFLICT (user_id) DO UPDATE
        SET payload = EXCLUDED.payload, version = rule_drafts.version + 1, updated_at = now()
      RETURNING version, updated_at`;
    c.header('ETag', `"${draft.version}"`);
    return c.json({ payload, version: Number(draft.version), updated_at: draft.updated_at });
  });
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
}

run_clustered(() => {
  start().catch((e) => {
    console.error(e);
    process.exit(1);
  });
});
