// keel-cron bookkeeping queries.
#include "core/cron/store.hpp"

#include <boost/json/value.hpp>

#include "core/db/pool.hpp"

namespace keel::cron::store {

// hashtextextended gives a stable 64-bit key per name; the prefix keeps cron's keys apart
// from any other advisory lock the product takes.
async<bool> try_lock(db::lease& session, std::string_view task) {
  auto rows = co_await session.query(R"sql(
      SELECT pg_try_advisory_lock(hashtextextended('keel.cron:' || $1, 0))
  )sql",
                                     task);
  co_return rows[0].get<bool>(0);
}

async<void> lock(db::lease& session, std::string_view task) {
  co_await session.query(R"sql(
      SELECT pg_advisory_lock(hashtextextended('keel.cron:' || $1, 0))
  )sql",
                         task);
}

async<void> unlock(db::lease& session, std::string_view task) {
  co_await session.query(R"sql(
      SELECT pg_advisory_unlock(hashtextextended('keel.cron:' || $1, 0))
  )sql",
                         task);
}

async<bool> runs_table_exists(db::pool& db) {
  auto rows = co_await db.query(R"sql(
      SELECT to_regclass('cron_runs') IS NOT NULL
  )sql");
  co_return rows[0].get<bool>(0);
}

async<uuid> insert_running(db::pool& db, std::string_view task, std::string_view runner,
                           timestamp started_at) {
  auto rows = co_await db.query(R"sql(
      INSERT INTO cron_runs (task, runner, status, started_at)
      VALUES ($1, $2, 'running', $3)
      RETURNING id
  )sql",
                                task, runner, started_at);
  co_return rows[0].get<uuid>(0);
}

async<void> finish(db::pool& db, const uuid& run, std::string_view status,
                   const std::optional<std::string>& error, const boost::json::object& summary) {
  co_await db.query(R"sql(
      UPDATE cron_runs
         SET status = $2, finished_at = now(), error = $3, summary = $4
       WHERE id = $1
  )sql",
                    run, status, error, boost::json::value(summary));
}

async<void> insert_finished(db::pool& db, std::string_view task, std::string_view runner,
                            std::string_view status, timestamp started_at,
                            const std::optional<std::string>& error,
                            const boost::json::object& summary) {
  co_await db.query(R"sql(
      INSERT INTO cron_runs (task, runner, status, started_at, finished_at, error, summary)
      VALUES ($1, $2, $3, $4, now(), $5, $6)
  )sql",
                    task, runner, status, started_at, error, boost::json::value(summary));
}

}  // namespace keel::cron::store
