// The operations signals' SQL.
#include "core/ops/store.hpp"

#include "core/db/pool.hpp"

namespace keel::ops::store {
namespace {

std::int64_t ms(std::chrono::milliseconds d) {
  return d.count();
}

}  // namespace

async<job_counts> count_jobs(db::pool& db) {
  // Every state from one scan of jobs_state_id_idx rather than one query per state.
  auto rows = co_await db.query(R"sql(
      SELECT count(*) FILTER (WHERE state = 'available'),
             count(*) FILTER (WHERE state = 'scheduled'),
             count(*) FILTER (WHERE state = 'running'),
             count(*) FILTER (WHERE state = 'retryable'),
             count(*) FILTER (WHERE state = 'completed'),
             count(*) FILTER (WHERE state = 'discarded'),
             count(*) FILTER (WHERE state = 'cancelled')
        FROM jobs
  )sql");
  auto r = rows[0];
  co_return job_counts{.available = r.get<std::int64_t>(0),
                       .scheduled = r.get<std::int64_t>(1),
                       .running = r.get<std::int64_t>(2),
                       .retryable = r.get<std::int64_t>(3),
                       .completed = r.get<std::int64_t>(4),
                       .discarded = r.get<std::int64_t>(5),
                       .cancelled = r.get<std::int64_t>(6)};
}

async<std::int64_t> discarded_within(db::pool& db, std::chrono::milliseconds window) {
  auto rows = co_await db.query(R"sql(
      SELECT count(*)
        FROM jobs
       WHERE state = 'discarded'
         AND finished_at > now() - $1::bigint * interval '1 millisecond'
  )sql",
                                ms(window));
  co_return rows[0].get<std::int64_t>(0);
}

async<void> add_sample(db::pool& db, std::string_view instance, const sample& s) {
  co_await db.query(R"sql(
      WITH pruned AS (
        DELETE FROM ops_samples WHERE created_at < now() - interval '1 day'
      )
      INSERT INTO ops_samples (instance, requests, errors_5xx, pool_timeouts)
      VALUES ($1, $2, $3, $4)
  )sql",
                    instance, s.requests, s.errors_5xx, s.pool_timeouts);
}

async<sample> samples_within(db::pool& db, std::chrono::milliseconds window) {
  auto rows = co_await db.query(R"sql(
      SELECT COALESCE(sum(requests), 0)::bigint,
             COALESCE(sum(errors_5xx), 0)::bigint,
             COALESCE(sum(pool_timeouts), 0)::bigint
        FROM ops_samples
       WHERE created_at > now() - $1::bigint * interval '1 millisecond'
  )sql",
                                ms(window));
  auto r = rows[0];
  co_return sample{.requests = r.get<std::int64_t>(0),
                   .errors_5xx = r.get<std::int64_t>(1),
                   .pool_timeouts = r.get<std::int64_t>(2)};
}

async<bool> mark_alert(db::pool& db, std::string_view name, std::chrono::milliseconds interval) {
  auto rows = co_await db.query(R"sql(
      INSERT INTO ops_alerts AS a (name, sent_at)
      VALUES ($1, now())
      ON CONFLICT (name) DO UPDATE
         SET sent_at = now()
       WHERE a.sent_at <= now() - $2::bigint * interval '1 millisecond'
      RETURNING name
  )sql",
                                name, ms(interval));
  co_return !rows.empty();
}

async<void> unmark_alert(db::pool& db, std::string_view name) {
  co_await db.query(R"sql(
      DELETE FROM ops_alerts WHERE name = $1
  )sql",
                    name);
}

}  // namespace keel::ops::store
