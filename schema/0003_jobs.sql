-- The job queue: jobs enqueued inside business transactions and run by keel-worker.
CREATE TABLE jobs (
  id               uuid        PRIMARY KEY DEFAULT uuidv7(),
  queue            text        NOT NULL DEFAULT 'default' CHECK (length(queue) BETWEEN 1 AND 64),
  kind             text        NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
  payload          jsonb       NOT NULL DEFAULT '{}',
  -- available/scheduled/retryable: waiting for run_at; running: leased by locked_by;
  -- completed/discarded/cancelled: finished (discarded is the dead-letter state).
  state            text        NOT NULL DEFAULT 'available'
                   CHECK (state IN ('available', 'scheduled', 'running', 'completed',
                                    'retryable', 'discarded', 'cancelled')),
  priority         smallint    NOT NULL DEFAULT 0,  -- higher runs first
  attempt          integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  max_attempts     integer     NOT NULL DEFAULT 20 CHECK (max_attempts >= 1),
  run_at           timestamptz NOT NULL DEFAULT now(),
  lease_expires_at timestamptz,  -- while running: rescued once this passes without a heartbeat
  locked_by        text,         -- the worker that runs or last ran it
  unique_key       text,
  errors           jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
  request_id       text,         -- the HTTP request that enqueued it, for tracing
  created_at       timestamptz NOT NULL DEFAULT now(),
  attempted_at     timestamptz,
  finished_at      timestamptz,
  CHECK (state <> 'running' OR (lease_expires_at IS NOT NULL AND locked_by IS NOT NULL))
);

-- The claim: per queue, waiting jobs in (priority DESC, run_at) order. Partial, so that the
-- millions of finished rows a busy queue leaves behind never slow it down.
CREATE INDEX jobs_claim_idx ON jobs (queue, priority DESC, run_at, id)
  WHERE state IN ('available', 'scheduled', 'retryable');

-- The rescuer looks for running jobs whose lease ran out.
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE state = 'running';

-- A second job with the same kind and key while one is waiting or running is not inserted;
-- enqueue returns the existing one instead.
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (kind, unique_key)
  WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'retryable', 'running');

-- jobs.prune deletes finished jobs by age; the admin list filters by state newest first.
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX jobs_state_id_idx ON jobs (state, id);
