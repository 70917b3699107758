-- What the chaos suite adds to the migrated template database (tests/chaos/run.sh): the table
-- test.record writes one row to per successful run, the enqueue helper and the outcome counts.

-- test.record inserts (job_id, attempt, request_id); ran_at is when that insert ran.
CREATE TABLE test_job_runs (
  job_id     uuid        NOT NULL,
  attempt    int,
  request_id text,
  ran_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX test_job_runs_job_idx ON test_job_runs (job_id);

-- n test.record jobs numbered from `first` (payload n), each sleeping sleep_ms; those whose
-- number is divisible by fail_every fail their first attempt. Due after `delay`. Workers are
-- woken as keel's own enqueue wakes them.
CREATE FUNCTION chaos_enqueue(n int, sleep_ms int, fail_every int, first bigint,
                              delay interval DEFAULT interval '0') RETURNS void
LANGUAGE sql AS $$
  INSERT INTO jobs (kind, payload, state, run_at)
  SELECT 'test.record',
         jsonb_build_object('n', i, 'sleep_ms', sleep_ms,
                            'fail_attempts', CASE WHEN fail_every > 0 AND i % fail_every = 0
                                                  THEN 1 ELSE 0 END),
         CASE WHEN delay > interval '0' THEN 'scheduled' ELSE 'available' END,
         now() + delay
    FROM generate_series(first, first + n - 1) AS i;
  SELECT pg_notify('keel_jobs', 'default');
$$;

-- The verdict's counts, over every job in the database:
--   lost       not completed, or completed without a recorded run
--   duplicates runs beyond one that no recorded error (a failed attempt, a rescue) explains,
--              or two runs of the same attempt
--   stuck      jobs still running, plus other sessions holding locks on jobs
--   reruns     runs beyond one per job, explained or not
--   retried    jobs with a recorded error (failed attempt or rescue)
CREATE FUNCTION chaos_outcome(OUT total bigint, OUT lost bigint, OUT duplicates bigint,
                              OUT stuck bigint, OUT reruns bigint, OUT retried bigint)
LANGUAGE sql AS $$
  WITH runs AS (
    SELECT job_id, count(*) AS n, count(DISTINCT attempt) AS attempts
      FROM test_job_runs
     GROUP BY job_id
  ), per_job AS (
    SELECT j.state, jsonb_array_length(j.errors) AS errors,
           coalesce(r.n, 0) AS n, coalesce(r.attempts, 0) AS attempts
      FROM jobs j LEFT JOIN runs r ON r.job_id = j.id
  )
  SELECT count(*),
         count(*) FILTER (WHERE state <> 'completed' OR n = 0),
         coalesce(sum(greatest(0, n - 1 - errors, n - attempts)), 0),
         count(*) FILTER (WHERE state = 'running')
           + (SELECT count(DISTINCT pid) FROM pg_locks
               WHERE relation = 'jobs'::regclass AND pid <> pg_backend_pid()),
         coalesce(sum(greatest(0, n - 1)), 0),
         count(*) FILTER (WHERE errors > 0)
    FROM per_job
$$;
