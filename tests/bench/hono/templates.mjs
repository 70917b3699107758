// Hono + postgres.js: GET /api/v1/templates/:slug, the peer of keel-api's template lookup.
// The same query keel runs, a pool of 10 connections in all (split across the workers,
// as keel splits its pool across its event loops), the row as JSON, 404 when none.
//   DATABASE_URL=postgresql://... PORT=8083 node hono/templates.mjs
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import postgres from 'postgres';
import { run_clustered, worker_count } from './cluster.mjs';

const port = Number(process.env.PORT ?? 8083);
const pool_total = Number(process.env.PG_POOL ?? 10);
const database_url = process.env.DATABASE_URL;
if (!database_url) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}

run_clustered(() => {
  // postgres.js prepares statements by default (extended protocol), as keel does.
  const sql = postgres(database_url, { max: Math.max(1, Math.floor(pool_total / worker_count())) });
  const app = new Hono();
  app.get('/api/v1/templates/:slug', async (c) => {
    // keel's store query for GET /api/v1/templates/{slug}: the row and its methods.
    const rows = await sql`
      SELECT t.slug, t.title, t.category, t.description, t.featured, t.sort_order, t.body,
             0 AS score, '[]'::jsonb AS matched_facets, t.created_at, t.updated_at,
             coalesce((
               SELECT jsonb_agg(jsonb_build_object('section', m.section, 'slug', m.slug)
                                ORDER BY array_position(ARRAY['core_values', 'communication',
                                                              'membership', 'decision_making',
                                                              'conflict_management'], m.section),
                                         tm.position)
                 FROM governance_template_methods tm
                 JOIN catalog_methods m ON m.id = tm.method_id
                WHERE tm.template_id = t.id), '[]'::jsonb) AS methods
        FROM governance_templates t
       WHERE t.slug = ${c.req.param('slug')}`;
    if (rows.length === 0) {
      return c.json({ type: 'about:blank', title: 'Not Found', status: 404 }, 404);
    }
    return c.json(rows[0]);
  });
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
});
