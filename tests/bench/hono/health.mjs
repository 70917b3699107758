// Hono on Node: GET /health -> {"status":"ok"}, the peer of keel-api's /health.
//   PORT=8082 node hono/health.mjs
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { run_clustered } from './cluster.mjs';

const port = Number(process.env.PORT ?? 8082);

run_clustered(() => {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
});
