-- Operations signals: the trace a job belongs to, the counts keel-api reports for the alert
-- hook, and when each alert was last sent.

-- The W3C traceparent of the span (an HTTP request, another job) that enqueued the job, so
-- that the worker's lines about it carry the same trace_id.
ALTER TABLE jobs ADD COLUMN traceparent text CHECK (length(traceparent) <= 128);

-- The admin status and the alert hook count jobs discarded lately.
CREATE INDEX jobs_discarded_idx ON jobs (finished_at) WHERE state = 'discarded';

-- What each keel-api instance served in each interval (OPS_SAMPLE_INTERVAL): keel-worker
-- reads the last minutes of every instance to decide on the 5xx and pool-timeout alerts.
CREATE TABLE ops_samples (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance      text        NOT NULL CHECK (length(instance) BETWEEN 1 AND 200),
  requests      bigint      NOT NULL CHECK (requests >= 0),
  errors_5xx    bigint      NOT NULL CHECK (errors_5xx >= 0),
  pool_timeouts bigint      NOT NULL CHECK (pool_timeouts >= 0),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ops_samples_created_idx ON ops_samples (created_at);

-- One row per alert: sent at most once per ALERT_INTERVAL, whichever worker notices first.
CREATE TABLE ops_alerts (
  name    text        PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
  sent_at timestamptz NOT NULL
);
