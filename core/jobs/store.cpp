// Job queue queries.
#include "core/jobs/store.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/db/pool.hpp"

namespace keel::jobs::store {
namespace {

// A uuid[] parameter in PostgreSQL's array text form: {id,id,...}.
std::string uuid_array(const std::vector<uuid>& ids) {
  std::string out = "{";
  for (const auto& id : ids) {
    if (out.size() > 1) out += ',';
    out += id.str();
  }
  return out + "}";
}

// A text[] parameter; the values are our own state names (no quoting needed).
std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    out += v;
  }
  return out + "}";
}

std::int64_t ms(std::chrono::milliseconds d) {
  return static_cast<std::int64_t>(d.count());
}

// The lock clause of the worker's statements, put in for {lock}: the batched form skips a
// row another session holds locked (and says so), the *_locked form waits for it.
constexpr std::string_view skip_locked = "FOR UPDATE SKIP LOCKED";
constexpr std::string_view wait_locked = "FOR UPDATE";

std::string with_lock(std::string_view sql, std::string_view lock) {
  std::string out(sql);
  out.replace(out.find("{lock}"), 6, lock);
  return out;
}

// The worker's statements run on a connection of their own, not on a shared pipeline: there,
// a handler's statement blocked on a lock would hold up the claims, completions and
// heartbeats queued behind it. They never wait for a locked row themselves, so the connection
// comes back within a round trip.
template <class... A>
async<db::result> alone(db::pool& db, std::string_view sql, const A&... args) {
  auto l = co_await db.acquire();
  co_return co_await l.query(sql, args...);
}

// One statement in a transaction of its own that waits at most `wait` for the rows it locks:
// on a connection of its own, so that the wait holds up no statement of anyone else.
async<db::result> waiting(db::pool& db, std::chrono::milliseconds wait, const std::string& sql,
                          db::params p) {
  auto tx = co_await db.begin();
  std::string timeout = std::to_string(std::max<std::int64_t>(wait.count(), 1));
  co_await tx.query("SELECT set_config('lock_timeout', $1, true)", timeout);
  auto r = co_await tx.execute(sql, std::move(p));
  co_await tx.commit();
  co_return r;
}

constexpr std::string_view job_columns = R"sql(
    id, queue, kind, payload, state, priority, attempt, max_attempts, run_at, lease_expires_at,
    locked_by, unique_key, errors, request_id, created_at, attempted_at, finished_at)sql";

job job_from_row(const db::row& r) {
  return {
      .id = r.get<uuid>(0),
      .queue = r.get<std::string>(1),
      .kind = r.get<std::string>(2),
      .payload = r.get<boost::json::value>(3),
      .state = r.get<std::string>(4),
      .priority = r.get<std::int32_t>(5),
      .attempt = r.get<std::int32_t>(6),
      .max_attempts = r.get<std::int32_t>(7),
      .run_at = r.get<timestamp>(8),
      .lease_expires_at = r.get<std::optional<timestamp>>(9),
      .locked_by = r.get<std::optional<std::string>>(10),
      .unique_key = r.get<std::optional<std::string>>(11),
      .errors = r.get<boost::json::value>(12),
      .request_id = r.get<std::optional<std::string>>(13),
      .created_at = r.get<timestamp>(14),
      .attempted_at = r.get<std::optional<timestamp>>(15),
      .finished_at = r.get<std::optional<timestamp>>(16),
  };
}

}  // namespace

async<std::optional<uuid>> insert(db::transaction& tx, std::string_view kind,
                                  const boost::json::value& payload, const enqueue_options& o) {
  // NOTIFY inside the transaction: workers hear of the job when, and only if, it commits.
  auto rows = co_await tx.query(R"sql(
      WITH due AS (
        SELECT COALESCE($5::timestamptz, now() + $6::bigint * interval '1 millisecond') AS run_at
      ), inserted AS (
        INSERT INTO jobs (queue, kind, payload, state, priority, max_attempts, run_at,
                          unique_key, request_id, traceparent)
        SELECT $1, $2, $3::jsonb,
               CASE WHEN due.run_at > now() THEN 'scheduled' ELSE 'available' END,
               $4::smallint, $7::integer, due.run_at, $8, $9, $11
          FROM due
        ON CONFLICT (kind, unique_key)
           WHERE unique_key IS NOT NULL
             AND state IN ('available', 'scheduled', 'retryable', 'running')
           DO NOTHING
        RETURNING id, queue
      )
      SELECT inserted.id FROM inserted, pg_notify($10, inserted.queue)
  )sql",
                                o.queue, kind, payload, std::int32_t{o.priority}, o.run_at,
                                ms(o.delay), std::int32_t{o.max_attempts}, o.unique_key,
                                o.request_id, wake_channel, o.traceparent);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<uuid>(0);
}

async<std::optional<uuid>> find_unique(db::transaction& tx, std::string_view kind,
                                       std::string_view unique_key) {
  auto rows = co_await tx.query(R"sql(
      SELECT id
        FROM jobs
       WHERE kind = $1 AND unique_key = $2
         AND state IN ('available', 'scheduled', 'retryable', 'running')
  )sql",
                                kind, unique_key);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<uuid>(0);
}

async<std::vector<uuid>> insert_many(db::transaction& tx, const std::vector<new_job>& jobs) {
  // One JSON array parameter, however many jobs: one round trip and one plan.
  boost::json::array rows;
  rows.reserve(jobs.size());
  for (const auto& j : jobs) {
    const auto& o = j.options;
    boost::json::object r;
    r["queue"] = o.queue;
    r["kind"] = j.kind;
    r["payload"] = j.payload;
    r["priority"] = o.priority;
    r["max_attempts"] = o.max_attempts;
    if (o.run_at) r["run_at"] = format_timestamp(*o.run_at);
    r["delay_ms"] = ms(o.delay);
    if (o.request_id) r["request_id"] = *o.request_id;
    if (o.traceparent) r["traceparent"] = *o.traceparent;
    rows.push_back(std::move(r));
  }
  auto result = co_await tx.query(R"sql(
      WITH given AS (
        SELECT g.*, COALESCE(g.run_at, now() + g.delay_ms * interval '1 millisecond') AS due
          FROM jsonb_to_recordset($1::jsonb) AS g(queue text, kind text, payload jsonb,
                                                   priority smallint, max_attempts integer,
                                                   run_at timestamptz, delay_ms bigint,
                                                   request_id text, traceparent text)
      ), inserted AS (
        INSERT INTO jobs (queue, kind, payload, state, priority, max_attempts, run_at, request_id,
                          traceparent)
        SELECT queue, kind, payload,
               CASE WHEN due > now() THEN 'scheduled' ELSE 'available' END,
               priority, max_attempts, due, request_id, traceparent
          FROM given
        RETURNING id, queue
      )
      SELECT inserted.id FROM inserted, pg_notify($2, inserted.queue)
  )sql",
                                  boost::json::value(std::move(rows)), wake_channel);
  std::vector<uuid> ids;
  ids.reserve(result.size());
  for (auto r : result) ids.push_back(r.get<uuid>(0));
  co_return ids;
}

async<std::vector<claimed_job>> claim(db::pool& db, std::string_view queue, int limit,
                                      std::chrono::milliseconds lease, std::string_view worker) {
  // Returned in claim order: the runner starts a batch's jobs one by one as slots free up.
  // Committed without waiting for the WAL flush (see async_commit): a claim lost in a crash
  // of PostgreSQL leaves the job available with its attempt uncounted, and the worker that
  // ran it meanwhile finds it no longer held when it completes: it simply runs again.
  auto rows = co_await alone(db, R"sql(
      WITH durability AS MATERIALIZED (
        SELECT set_config('synchronous_commit', 'off', true)
      ), picked AS (
        SELECT id
          FROM jobs
         WHERE queue = $1
           AND state IN ('available', 'scheduled', 'retryable')
           AND run_at <= now()
         ORDER BY priority DESC, run_at, id
         LIMIT $2
           FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE jobs j
           SET state = 'running',
               attempt = j.attempt + 1,
               attempted_at = now(),
               lease_expires_at = now() + $3::bigint * interval '1 millisecond',
               locked_by = $4
          FROM picked, durability
         WHERE j.id = picked.id
        RETURNING j.id, j.queue, j.kind, j.payload, j.attempt, j.max_attempts, j.request_id,
                  j.traceparent, j.priority, j.run_at
      )
      SELECT id, queue, kind, payload, attempt, max_attempts, request_id, traceparent
        FROM claimed
       ORDER BY priority DESC, run_at, id
  )sql",
                             queue, std::int32_t{limit}, ms(lease), worker);
  std::vector<claimed_job> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    out.push_back({.id = r.get<uuid>(0),
                   .queue = r.get<std::string>(1),
                   .kind = r.get<std::string>(2),
                   .payload = r.get<boost::json::value>(3),
                   .attempt = r.get<std::int32_t>(4),
                   .max_attempts = r.get<std::int32_t>(5),
                   .request_id = r.get<std::optional<std::string>>(6),
                   .traceparent = r.get<std::optional<std::string>>(7)});
  }
  co_return out;
}

namespace {

// Committed without waiting for the WAL flush (see async_commit): a completion lost in a crash
// of PostgreSQL leaves the job running under its lease, so it is rescued and runs again, which
// idempotent handlers allow. The handler's own writes committed before this. `mine` reads the
// held rows without locking them: those `held` skipped are the locked ones.
constexpr std::string_view complete_sql = R"sql(
    WITH durability AS MATERIALIZED (
      SELECT set_config('synchronous_commit', 'off', true)
    ), mine AS (
      SELECT id FROM jobs
       WHERE id = ANY($1::uuid[]) AND state = 'running' AND locked_by = $2
    ), held AS (
      SELECT id FROM jobs
       WHERE id = ANY($1::uuid[]) AND state = 'running' AND locked_by = $2
       ORDER BY id
         {lock}
    ), completed AS (
      UPDATE jobs j
         SET state = 'completed', finished_at = now(), lease_expires_at = NULL
        FROM held, durability
       WHERE j.id = held.id
      RETURNING j.id
    )
    SELECT mine.id, completed.id IS NOT NULL FROM mine LEFT JOIN completed USING (id)
)sql";

constexpr std::string_view fail_sql = R"sql(
    WITH mine AS (
      SELECT id FROM jobs WHERE id = $1 AND state = 'running' AND locked_by = $2
    ), failed AS (
      SELECT id, ($5::boolean OR attempt >= max_attempts) AS last
        FROM jobs
       WHERE id = $1 AND state = 'running' AND locked_by = $2
         {lock}
    ), recorded AS (
      UPDATE jobs j
         SET state = CASE WHEN failed.last THEN 'discarded' ELSE 'retryable' END,
             run_at = CASE WHEN failed.last THEN j.run_at
                           ELSE now() + $4::bigint * interval '1 millisecond' END,
             finished_at = CASE WHEN failed.last THEN now() END,
             lease_expires_at = NULL,
             errors = j.errors || jsonb_build_array(jsonb_build_object(
                        'at', now(), 'attempt', j.attempt, 'message', $3::text))
        FROM failed
       WHERE j.id = failed.id
      RETURNING j.state, j.errors
    )
    SELECT state, errors FROM recorded
    UNION ALL
    SELECT 'locked', NULL::jsonb FROM mine WHERE NOT EXISTS (SELECT 1 FROM recorded)
)sql";

constexpr std::string_view heartbeat_sql = R"sql(
    WITH mine AS (
      SELECT id FROM jobs
       WHERE id = ANY($1::uuid[]) AND state = 'running' AND locked_by = $2
    ), held AS (
      SELECT id FROM jobs
       WHERE id = ANY($1::uuid[]) AND state = 'running' AND locked_by = $2
       ORDER BY id
         {lock}
    ), extended AS (
      UPDATE jobs j
         SET lease_expires_at = now() + $3::bigint * interval '1 millisecond'
        FROM held
       WHERE j.id = held.id
      RETURNING j.id
    )
    SELECT mine.id, extended.id IS NOT NULL FROM mine LEFT JOIN extended USING (id)
)sql";

std::optional<failed_job> failed_from(const db::result& rows) {
  if (rows.empty()) return std::nullopt;
  auto state = rows[0].get<std::string>(0);
  if (state == "locked") return failed_job{.locked = true};
  return failed_job{.state = std::move(state), .errors = rows[0].get<boost::json::value>(1)};
}

}  // namespace

async<std::vector<uuid>> complete(db::pool& db, const std::vector<uuid>& ids,
                                  std::string_view worker) {
  static const std::string sql = with_lock(complete_sql, skip_locked);
  auto rows = co_await alone(db, sql, uuid_array(ids), worker);
  std::vector<uuid> locked;
  for (auto r : rows) {
    if (!r.get<bool>(1)) locked.push_back(r.get<uuid>(0));
  }
  co_return locked;
}

async<std::optional<failed_job>> fail(db::pool& db, const uuid& id, std::string_view worker,
                                      std::string_view message, std::chrono::milliseconds retry_in,
                                      bool discard) {
  static const std::string sql = with_lock(fail_sql, skip_locked);
  auto rows = co_await alone(db, sql, id, worker, message, ms(retry_in), discard);
  co_return failed_from(rows);
}

async<heartbeat_result> heartbeat(db::pool& db, const std::vector<uuid>& ids,
                                  std::string_view worker, std::chrono::milliseconds lease) {
  static const std::string sql = with_lock(heartbeat_sql, skip_locked);
  auto rows = co_await alone(db, sql, uuid_array(ids), worker, ms(lease));
  heartbeat_result out;
  out.held.reserve(rows.size());
  for (auto r : rows) (r.get<bool>(1) ? out.held : out.locked).push_back(r.get<uuid>(0));
  co_return out;
}

// In the waiting forms nothing is skipped: a row `mine` saw but the statement did not change
// was changed by the session that held it (cancelled, say), so it is no longer held.
async<bool> complete_locked(db::pool& db, const uuid& id, std::string_view worker,
                            std::chrono::milliseconds wait) {
  static const std::string sql = with_lock(complete_sql, wait_locked);
  std::vector<uuid> ids{id};
  auto rows = co_await waiting(db, wait, sql, db::params::of(uuid_array(ids), worker));
  co_return !rows.empty() && rows[0].get<bool>(1);
}

async<std::optional<failed_job>> fail_locked(db::pool& db, const uuid& id, std::string_view worker,
                                             std::string_view message,
                                             std::chrono::milliseconds retry_in, bool discard,
                                             std::chrono::milliseconds wait) {
  static const std::string sql = with_lock(fail_sql, wait_locked);
  auto rows =
      co_await waiting(db, wait, sql, db::params::of(id, worker, message, ms(retry_in), discard));
  auto failed = failed_from(rows);
  if (failed && failed->locked) co_return std::nullopt;
  co_return failed;
}

async<bool> extend_locked(db::pool& db, const uuid& id, std::string_view worker,
                          std::chrono::milliseconds lease, std::chrono::milliseconds wait) {
  static const std::string sql = with_lock(heartbeat_sql, wait_locked);
  std::vector<uuid> ids{id};
  auto rows = co_await waiting(db, wait, sql, db::params::of(uuid_array(ids), worker, ms(lease)));
  co_return !rows.empty() && rows[0].get<bool>(1);
}

async<std::int64_t> release(db::pool& db, const std::vector<uuid>& ids, std::string_view worker) {
  auto rows = co_await alone(db, R"sql(
      WITH released AS (
        UPDATE jobs j
           SET state = 'available', attempt = j.attempt - 1, lease_expires_at = NULL
          FROM (SELECT id FROM jobs
                 WHERE id = ANY($1::uuid[]) AND state = 'running' AND locked_by = $2
                 ORDER BY id
                   FOR UPDATE SKIP LOCKED) held
         WHERE j.id = held.id
        RETURNING j.queue
      )
      SELECT count(*) FROM released, pg_notify($3, released.queue)
  )sql",
                             uuid_array(ids), worker, wake_channel);
  co_return rows[0].get<std::int64_t>(0);
}

async<std::vector<rescued_job>> rescue(db::pool& db, int limit) {
  static const std::vector<uuid> none;
  co_return co_await rescue(db, limit, "", none);
}

async<std::vector<rescued_job>> rescue(db::pool& db, int limit, std::string_view worker,
                                       const std::vector<uuid>& keep) {
  auto rows = co_await alone(db, R"sql(
      WITH expired AS (
        SELECT id
          FROM jobs
         WHERE state = 'running' AND lease_expires_at < now()
           AND NOT (locked_by = $3 AND id = ANY($4::uuid[]))
         ORDER BY lease_expires_at
         LIMIT $1
           FOR UPDATE SKIP LOCKED
      ), rescued AS (
        UPDATE jobs j
           SET state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'retryable' END,
               finished_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END,
               run_at = now(),
               lease_expires_at = NULL,
               errors = j.errors || jsonb_build_array(jsonb_build_object(
                          'at', now(), 'attempt', j.attempt,
                          'message', 'lease expired: worker ' || j.locked_by ||
                                     ' stopped without finishing the job'))
          FROM expired
         WHERE j.id = expired.id
        RETURNING j.id, j.queue, j.kind, j.state, j.attempt, j.errors
      )
      SELECT r.id, r.queue, r.kind, r.state, r.attempt, r.errors
        FROM rescued r, pg_notify($2, r.queue)
  )sql",
                             std::int32_t{limit}, wake_channel, worker, uuid_array(keep));
  std::vector<rescued_job> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    out.push_back({.id = r.get<uuid>(0),
                   .queue = r.get<std::string>(1),
                   .kind = r.get<std::string>(2),
                   .state = r.get<std::string>(3),
                   .attempt = r.get<std::int32_t>(4),
                   .errors = r.get<boost::json::value>(5)});
  }
  co_return out;
}

async<std::optional<job>> find(db::pool& db, const uuid& id) {
  static const std::string sql = "SELECT " + std::string(job_columns) + " FROM jobs WHERE id = $1";
  auto rows = co_await db.query(sql, id);
  if (rows.empty()) co_return std::nullopt;
  co_return job_from_row(rows[0]);
}

async<std::optional<std::string>> cancel(db::transaction& tx, const uuid& id) {
  // Always tell the workers: the one running it (if any) stops at its next check.
  auto rows = co_await tx.query(R"sql(
      WITH cancelled AS (
        UPDATE jobs
           SET state = 'cancelled', finished_at = now(), lease_expires_at = NULL
         WHERE id = $1 AND state IN ('available', 'scheduled', 'retryable', 'running')
        RETURNING id, state
      )
      SELECT cancelled.state FROM cancelled, pg_notify($2, cancelled.id::text)
  )sql",
                                id, cancel_channel);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<std::string>(0);
}

async<std::optional<std::string>> retry_now(db::transaction& tx, const uuid& id) {
  // A discarded job gets one more attempt; failing it discards the job again.
  auto rows = co_await tx.query(R"sql(
      WITH retried AS (
        UPDATE jobs
           SET state = 'available', run_at = now(), finished_at = NULL,
               max_attempts = GREATEST(max_attempts, attempt + 1)
         WHERE id = $1 AND state IN ('discarded', 'retryable', 'cancelled')
        RETURNING queue, state
      )
      SELECT retried.state FROM retried, pg_notify($2, retried.queue)
  )sql",
                                id, wake_channel);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<std::string>(0);
}

async<std::vector<job>> list(db::pool& db, const list_query& filters,
                             const std::optional<position>& after, int limit) {
  static const std::string sql = "SELECT " + std::string(job_columns) + R"sql(
        FROM jobs
       WHERE ($1::text IS NULL OR state = $1)
         AND ($2::text IS NULL OR queue = $2)
         AND ($3::text IS NULL OR kind = $3)
         AND ($4::uuid IS NULL OR id < $4::uuid)
       ORDER BY id DESC
       LIMIT $5
  )sql";
  std::optional<uuid> after_id;
  if (after) after_id = after->id;
  auto rows = co_await db.query(sql, filters.state, filters.queue, filters.kind, after_id, limit);
  std::vector<job> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(job_from_row(r));
  co_return out;
}

async<std::vector<state_count>> counts(db::pool& db, bool unfinished_only) {
  auto rows = co_await db.query(R"sql(
      SELECT queue, state, count(*)
        FROM jobs
       WHERE NOT $1::boolean OR state IN ('available', 'scheduled', 'retryable', 'running')
       GROUP BY queue, state
       ORDER BY queue, state
  )sql",
                                unfinished_only);
  std::vector<state_count> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    out.push_back({.queue = r.get<std::string>(0),
                   .state = r.get<std::string>(1),
                   .count = r.get<std::int64_t>(2)});
  }
  co_return out;
}

async<std::int64_t> prune(db::pool& db, const std::vector<std::string>& states, timestamp before,
                          int limit) {
  auto r = co_await db.query(R"sql(
      DELETE FROM jobs
       WHERE id IN (SELECT id
                      FROM jobs
                     WHERE finished_at < $2 AND state = ANY($1::text[])
                     LIMIT $3
                       FOR UPDATE SKIP LOCKED)
  )sql",
                             text_array(states), before, std::int32_t{limit});
  co_return static_cast<std::int64_t>(r.affected_rows());
}

async<bool> remove(db::transaction& tx, const uuid& id) {
  auto rows = co_await tx.query(R"sql(
      DELETE FROM jobs WHERE id = $1 AND state <> 'running'
  )sql",
                                id);
  co_return rows.affected_rows() > 0;
}

}  // namespace keel::jobs::store
