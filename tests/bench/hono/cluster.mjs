// Runs a Hono app the way it is run in production on a multi-core machine:
// one Node process per core (node:cluster), all accepting on the same port.
// keel uses every core and nginx runs one worker per core, so Hono does too.
import cluster from 'node:cluster';
import os from 'node:os';

// HONO_WORKERS: processes to run; defaults to the number of cores.
export function worker_count() {
  const n = Number.parseInt(process.env.HONO_WORKERS ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : os.availableParallelism();
}

// Forks the workers in the primary process; in a worker, calls start().
// The primary exits when any worker dies, so a broken peer fails the benchmark loudly.
export function run_clustered(start) {
  const workers = worker_count();
  if (workers === 1 || !cluster.isPrimary) {
    start();
    return;
  }
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`hono worker ${worker.process.pid} died (${signal ?? code})`);
    process.exit(1);
  });
  let stopping = false;
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
      stopping = true;
      for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
      process.exit(0);
    });
  }
}
