// The job-queue side of tests/bench/jobs.sh: one program that enqueues, works, waits and
// measures for each system, so every system is driven the same way.
//
//   node jobs/queue.mjs setup   SYSTEM               create the schema / queue (not keel's)
//   node jobs/queue.mjs enqueue SYSTEM N             N no-op jobs in bulk, before any worker runs
//   node jobs/queue.mjs work    SYSTEM               a worker (peers only; keel runs keel-worker)
//   node jobs/queue.mjs wait    SYSTEM N LIMIT_S     poll until N jobs are completed (or LIMIT_S)
//   node jobs/queue.mjs trickle SYSTEM RATE SECONDS  enqueue one job at a time at RATE jobs/s
//   node jobs/queue.mjs stats   FILE                 p50/p99/max of one latency (ms) per line
//
// SYSTEM is keel, graphile, pgboss or bullmq. Environment: DATABASE_URL (keel, graphile,
// pgboss), REDIS_PORT (bullmq), CONCURRENCY (default 20), VARIANT (see `work`), LATENCY_OUT
// (work: where the latencies go on exit). Times are milliseconds since the epoch, from the
// system clock (performance.timeOrigin + performance.now()), the clock PostgreSQL's
// clock_timestamp() reads too, so a Node timestamp and a database one can be subtracted.
import { writeFileSync, readFileSync } from 'node:fs';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const die = (msg) => {
  console.error(`queue.mjs: ${msg}`);
  process.exit(1);
};

const [command, system, ...args] = process.argv.slice(2);
const concurrency = Number(process.env.CONCURRENCY ?? 20);
const variant = process.env.VARIANT ?? 'default';
const database_url = process.env.DATABASE_URL;
const queue_name = 'noop';

// ---- the systems -------------------------------------------------------------------------------
// Each has: setup(), enqueue_bulk(n), enqueue_one(payload), work(handler) -> stop(), and
// progress() -> { unfinished, completed }.

async function keel() {
  const { default: postgres } = await import('postgres');
  const sql = postgres(database_url, { max: 2, onnotice: () => {} });
  return {
    async setup() {},
    async enqueue_bulk(n) {
      // What store::insert_many writes for jobs.noop with default options, in one statement.
      await sql`
        WITH inserted AS (
          INSERT INTO jobs (queue, kind, payload, state, priority, max_attempts, run_at)
          SELECT 'default', 'jobs.noop', '{}'::jsonb, 'available', 0, 20, now()
            FROM generate_series(1, ${n}::int)
          RETURNING queue
        )
        SELECT count(*) FROM inserted`;
      await sql`SELECT pg_notify('keel_jobs', 'default')`;
    },
    async enqueue_one(payload) {
      // store::insert's statement for test.record with default options (queue default,
      // priority 0, max_attempts 20, no delay, no unique key), NOTIFY included.
      await sql`
        WITH due AS (
          SELECT COALESCE(${null}::timestamptz, now() + ${0}::bigint * interval '1 millisecond') AS run_at
        ), inserted AS (
          INSERT INTO jobs (queue, kind, payload, state, priority, max_attempts, run_at,
                            unique_key, request_id)
          SELECT ${'default'}, ${'test.record'}, ${sql.json(payload)}::jsonb,
                 CASE WHEN due.run_at > now() THEN 'scheduled' ELSE 'available' END,
                 ${0}::smallint, ${20}::integer, due.run_at, ${null}, ${null}
            FROM due
          ON CONFLICT (kind, unique_key)
             WHERE unique_key IS NOT NULL
               AND state IN ('available', 'scheduled', 'retryable', 'running')
             DO NOTHING
          RETURNING id, queue
        )
        SELECT inserted.id FROM inserted, pg_notify(${'keel_jobs'}, inserted.queue)`;
    },
    async progress() {
      const [r] = await sql`
        SELECT count(*) FILTER (WHERE state IN ('available', 'scheduled', 'retryable', 'running'))::int AS unfinished,
               count(*) FILTER (WHERE state = 'completed')::int AS completed
          FROM jobs`;
      return r;
    },
    async unfinished() {
      // Served by the partial claim and lease indexes: cheap however many jobs completed.
      const [r] = await sql`
        SELECT count(*)::int AS n FROM jobs
         WHERE state IN ('available', 'scheduled', 'retryable', 'running')`;
      return r.n;
    },
    async close() {
      await sql.end();
    },
  };
}

async function graphile() {
  const gw = await import('graphile-worker');
  // Warnings and errors only: the default logger writes a line per completed job.
  const logger = new gw.Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') console.error(`graphile-worker ${level}: ${message}`);
  });
  const { default: pg } = await import('pg');
  const admin = new pg.Pool({ connectionString: database_url, max: 2 });
  let utils = null;
  const get_utils = async () => (utils ??= await gw.makeWorkerUtils({ connectionString: database_url, logger }));
  return {
    async setup() {
      await gw.runMigrations({ connectionString: database_url, logger });
    },
    async enqueue_bulk(n) {
      const u = await get_utils();
      const specs = Array.from({ length: n }, () => ({ identifier: queue_name, payload: {} }));
      for (let i = 0; i < n; i += 5000) await u.addJobs(specs.slice(i, i + 5000));
    },
    async enqueue_one(payload) {
      await (await get_utils()).addJob(queue_name, payload);
    },
    async work(handler) {
      // VARIANT=batched: the batching graphile-worker documents for throughput (a local
      // queue the pool fills in one query, completions batched). Default: its defaults.
      const preset =
        variant === 'batched'
          ? { worker: { localQueue: { size: Number(process.env.GRAPHILE_LOCAL_QUEUE ?? 100) }, completeJobBatchDelay: 0 } }
          : undefined;
      const runner = await gw.run({
        connectionString: database_url,
        concurrency,
        // graphile-worker warns when its pool is smaller than its concurrency: as it advises.
        maxPoolSize: concurrency,
        noHandleSignals: true,
        logger,
        taskList: { [queue_name]: async (payload) => handler(payload) },
        ...(preset ? { preset } : {}),
      });
      return () => runner.stop();
    },
    async unfinished() {
      // Completed jobs are deleted; failed ones would stay (and be seen as unfinished).
      const { rows } = await admin.query('SELECT count(*)::int AS n FROM graphile_worker._private_jobs');
      return rows[0].n;
    },
    async progress() {
      const n = await this.unfinished();
      return { unfinished: n, completed: null };
    },
    async close() {
      if (utils) await utils.release();
      await admin.end();
    },
  };
}

async function pgboss() {
  const { default: PgBoss } = await import('pg-boss');
  // The worker runs with pg-boss's defaults; the other commands need no maintenance or cron.
  const boss = new PgBoss({
    connectionString: database_url,
    ...(command === 'work' ? {} : { supervise: false, schedule: false }),
  });
  boss.on('error', (e) => console.error(`pg-boss error: ${e.message}`));
  if (command !== 'wait') await boss.start();
  const { default: pg } = await import('pg');
  const admin = new pg.Pool({ connectionString: database_url, max: 2 });
  return {
    async setup() {
      await boss.createQueue(queue_name);
    },
    async enqueue_bulk(n) {
      const jobs = Array.from({ length: n }, () => ({ name: queue_name, data: {} }));
      for (let i = 0; i < n; i += 5000) await boss.insert(jobs.slice(i, i + 5000));
    },
    async enqueue_one(payload) {
      await boss.send(queue_name, payload);
    },
    async work(handler) {
      // pg-boss 10 runs one job batch at a time per work() call and polls at most every
      // 0.5 s (its minimum). CONCURRENCY work() calls of PGBOSS_BATCH jobs each; the default
      // (batch 1) has CONCURRENCY jobs in flight like the other systems.
      const batch = Number(process.env.PGBOSS_BATCH ?? 1);
      for (let i = 0; i < concurrency; i++) {
        await boss.work(queue_name, { batchSize: batch, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          for (const job of jobs) handler(job.data);
        });
      }
      return () => boss.stop({ graceful: true, wait: true, timeout: 10000 });
    },
    async unfinished() {
      const { rows } = await admin.query(
        "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'", [queue_name]);
      return rows[0].n;
    },
    async progress() {
      const { rows } = await admin.query(
        `SELECT count(*) FILTER (WHERE state < 'completed')::int AS unfinished,
                count(*) FILTER (WHERE state = 'completed')::int AS completed
           FROM pgboss.job WHERE name = $1`, [queue_name]);
      return rows[0];
    },
    async close() {
      await admin.end();
      if (command !== 'wait' && command !== 'work') await boss.stop({ graceful: false, wait: true }).catch(() => {});
    },
  };
}

async function bullmq() {
  const { Queue, Worker } = await import('bullmq');
  const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT), maxRetriesPerRequest: null };
  const queue = new Queue(queue_name, { connection });
  return {
    async setup() {
      await queue.obliterate({ force: true });
    },
    async enqueue_bulk(n) {
      const jobs = Array.from({ length: n }, () => ({ name: queue_name, data: {} }));
      for (let i = 0; i < n; i += 5000) await queue.addBulk(jobs.slice(i, i + 5000));
    },
    async enqueue_one(payload) {
      await queue.add(queue_name, payload);
    },
    async work(handler) {
      const worker = new Worker(queue_name, async (job) => handler(job.data), { connection, concurrency });
      worker.on('error', (e) => console.error(`bullmq worker error: ${e.message}`));
      await worker.waitUntilReady();
      return () => worker.close();
    },
    async unfinished() {
      const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children');
      return Object.values(c).reduce((a, b) => a + b, 0);
    },
    async progress() {
      const c = await queue.getJobCounts('completed', 'failed');
      return { unfinished: await this.unfinished(), completed: c.completed };
    },
    async close() {
      await queue.close();
    },
  };
}

const systems = { keel, graphile, pgboss, bullmq };

// ---- commands ----------------------------------------------------------------------------------

async function open() {
  const make = systems[system] ?? die(`unknown system ${system} (keel, graphile, pgboss, bullmq)`);
  if (system !== 'bullmq' && !database_url) die('DATABASE_URL is required');
  if (system === 'bullmq' && !process.env.REDIS_PORT) die('REDIS_PORT is required');
  return make();
}

function percentile(sorted, p) {
  // Nearest rank: the smallest value with at least p % of the values at or below it.
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function main() {
  if (command === 'stats') {
    const values = readFileSync(system, 'utf8').split('\n').filter((l) => l.trim() !== '').map(Number);
    values.sort((a, b) => a - b);
    const f = (v) => v.toFixed(2);
    console.log(`${values.length} ${f(percentile(values, 50))} ${f(percentile(values, 99))} ${f(values.at(-1) ?? NaN)}`);
    return;
  }

  const s = await open();
  switch (command) {
    case 'setup':
      await s.setup();
      break;

    case 'enqueue': {
      const n = Number(args[0]);
      const t = now();
      await s.enqueue_bulk(n);
      console.error(`${system}: enqueued ${n} jobs in ${((now() - t) / 1000).toFixed(2)} s`);
      break;
    }

    case 'work': {
      // The handler does nothing but note, for a job carrying {t}, how long after its enqueue
      // it started. The first job's start time goes to stdout at once ("first_start <ms>"),
      // the number of handler calls when the worker stops ("ran <n>").
      const latencies = [];
      let first = true;
      let ran = 0;
      const handler = (payload) => {
        const t = now();
        ran++;
        if (first) {
          first = false;
          process.stdout.write(`first_start ${t.toFixed(3)}\n`);
        }
        if (payload && typeof payload.t === 'number') latencies.push(t - payload.t);
      };
      const stop = await s.work(handler);
      process.stdout.write(`ready ${now().toFixed(3)}\n`);
      let stopping = false;
      const finish = async () => {
        if (stopping) return;
        stopping = true;
        await stop();
        process.stdout.write(`ran ${ran}\n`);
        if (process.env.LATENCY_OUT) writeFileSync(process.env.LATENCY_OUT, latencies.map((l) => l.toFixed(3)).join('\n') + '\n');
        await s.close?.();
        process.exit(0);
      };
      process.on('SIGTERM', finish);
      process.on('SIGINT', finish);
      return; // runs until signalled
    }

    case 'wait': {
      // Polls every 20 ms until nothing is left to run; prints the time that was first seen,
      // or, past LIMIT_S, the time and how many were done by then.
      const n = Number(args[0]);
      const limit_ms = Number(args[1] ?? 600) * 1000;
      const start = now();
      let left;
      for (;;) {
        const t = now();
        left = await s.unfinished();
        if (left === 0) {
          console.log(`done ${t.toFixed(3)} ${n}`);
          break;
        }
        if (t - start > limit_ms) {
          console.log(`limit ${t.toFixed(3)} ${n - left}`);
          break;
        }
        await sleep(20 - (now() - t));
      }
      const p = await s.progress();
      if (left === 0 && p.completed !== null && p.completed < n) die(`${system}: ${p.completed} of ${n} jobs completed`);
      await s.close?.();
      break;
    }

    case 'trickle': {
      // One job at a time, on a fixed schedule (job i is due at start + i / RATE), each
      // carrying the time just before its enqueue call.
      const rate = Number(args[0]);
      const seconds = Number(args[1]);
      const total = Math.round(rate * seconds);
      const start = now() + 100;
      let late = 0;
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / rate;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
        else if (wait < -50) late++;
        await s.enqueue_one({ t: now() });
      }
      console.error(`${system}: trickled ${total} jobs in ${((now() - start) / 1000).toFixed(2)} s` +
        (late ? ` (${late} enqueued more than 50 ms behind schedule)` : ''));
      console.log(total);
      await s.close?.();
      break;
    }

    default:
      die(`unknown command ${command}`);
  }
  process.exit(0);
}

main().catch((e) => die(e.stack ?? String(e)));
