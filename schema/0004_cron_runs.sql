-- One row per keel-cron run: what ran, when, how it ended, and what it did.
CREATE TABLE cron_runs (
  id          uuid        PRIMARY KEY DEFAULT uuidv7(),
  task        text        NOT NULL,
  runner      text        NOT NULL,  -- host:pid, to find the process of a run still marked running
  status      text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  error       text,
  summary     jsonb       NOT NULL DEFAULT '{}'
);

-- Ops read the latest runs of a task first.
CREATE INDEX cron_runs_task_started_idx ON cron_runs (task, started_at DESC);
