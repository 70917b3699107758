// Job decisions: unique-key enqueueing, what cancel and retry may do, paging.
#include "core/jobs/service.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <stdexcept>

#include "core/audit/log.hpp"
#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/dto/cursor.hpp"
#include "core/jobs/store.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/log.hpp"

namespace keel::jobs {
namespace {

const std::vector<std::string>& states_done() {
  static const std::vector<std::string> states{"completed", "cancelled"};
  return states;
}
const std::vector<std::string>& states_dead() {
  static const std::vector<std::string> states{"discarded"};
  return states;
}

// Bad options are a bug in the calling code, not bad input: say so before the database does.
void check(std::string_view kind, const enqueue_options& o) {
  if (kind.empty() || kind.size() > 100) throw std::invalid_argument("job kind: 1 to 100 bytes");
  if (o.queue.empty() || o.queue.size() > 64) {
    throw std::invalid_argument("job queue: 1 to 64 bytes");
  }
  if (o.max_attempts < 1) throw std::invalid_argument("job max_attempts: at least 1");
  if (o.priority < std::numeric_limits<std::int16_t>::min() ||
      o.priority > std::numeric_limits<std::int16_t>::max()) {
    throw std::invalid_argument("job priority: a 16-bit integer");
  }
}

}  // namespace

async<enqueued> enqueue(db::transaction& tx, std::string_view kind,
                        const boost::json::value& payload, const enqueue_options& options) {
  check(kind, options);
  // The holder of the key may finish between our insert and our look-up; then a new job is
  // due after all, so try again (twice is plenty: it would have to finish twice meanwhile).
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto id = co_await store::insert(tx, kind, payload, options);
    if (id) co_return enqueued{.id = *id, .existing = false};
    if (!options.unique_key) break;
    auto existing = co_await store::find_unique(tx, kind, *options.unique_key);
    if (existing) co_return enqueued{.id = *existing, .existing = true};
  }
  throw db::error("enqueue of " + std::string(kind) + " neither inserted nor found its job");
}

async<enqueued> enqueue(db::transaction& tx, std::string_view kind,
                        const boost::json::value& payload) {
  const enqueue_options defaults;
  co_return co_await enqueue(tx, kind, payload, defaults);
}

async<std::vector<enqueued>> enqueue_many(db::transaction& tx, const std::vector<new_job>& jobs) {
  bool any_unique = false;
  for (const auto& j : jobs) {
    check(j.kind, j.options);
    any_unique = any_unique || j.options.unique_key.has_value();
  }
  std::vector<enqueued> out;
  out.reserve(jobs.size());
  if (jobs.empty()) co_return out;
  if (any_unique) {
    // Each key needs its own look-up; keys are for singletons, not for bulk loads.
    for (const auto& j : jobs) out.push_back(co_await enqueue(tx, j.kind, j.payload, j.options));
    co_return out;
  }
  auto ids = co_await store::insert_many(tx, jobs);
  for (const auto& id : ids) out.push_back({.id = id});
  co_return out;
}

async<job> service::get(const uuid& id) {
  auto found = co_await store::find(db_, id);
  if (!found) throw not_found("No job has this id.", "job_not_found");
  co_return std::move(*found);
}

async<void> service::record_action(db::transaction& tx, const audit::origin& by,
                                   std::string_view action, const uuid& id) {
  // The job is not a user, so the row's user_id stays empty.
  boost::json::object details{{"job_id", id.str()}};
  std::optional<uuid> nobody;
  co_await audit::record(tx, by, action, nobody, details);
}

async<job> service::cancel(const uuid& id, const audit::origin& by) {
  {
    auto tx = co_await db_.begin();
    auto state = co_await store::cancel(tx, id);
    if (!state) {
      // Rolled back first, so the look-up does not wait for a second connection.
      co_await tx.rollback();
      auto current = co_await get(id);
      throw conflict("The job already finished (" + current.state + ").", "job_finished");
    }
    co_await record_action(tx, by, "admin.job_cancelled", id);
    co_await tx.commit();
  }
  co_return co_await get(id);
}

async<job> service::retry(const uuid& id, const audit::origin& by) {
  {
    auto tx = co_await db_.begin();
    std::optional<std::string> state;
    try {
      state = co_await store::retry_now(tx, id);
    } catch (const db::error& e) {
      if (!e.is_unique_violation()) throw;
      throw conflict("Another job with this kind and unique key is waiting or running.",
                     "job_unique_key_taken");
    }
    if (!state) {
      co_await tx.rollback();
      auto current = co_await get(id);
      throw conflict("Only a discarded, retryable or cancelled job can be retried (this one is " +
                         current.state + ").",
                     "job_not_retryable");
    }
    co_await record_action(tx, by, "admin.job_retried", id);
    co_await tx.commit();
  }
  co_return co_await get(id);
}

async<job_page> service::list(const list_query& query) {
  auto at = dto::read_page<store::position>(query.limit, query.cursor);
  auto rows = co_await store::list(db_, query, at.after, at.fetch());
  co_return dto::make_page(std::move(rows), at, [](const job& j) { return store::position{j.id}; });
}

async<job_stats> service::stats() {
  auto counts = co_await store::counts(db_, false);
  job_stats out;
  out.counts = std::move(counts);
  co_return out;
}

async<prune_result> service::prune(std::chrono::milliseconds keep_completed,
                                   std::chrono::milliseconds keep_discarded, int batch) {
  const auto& done = states_done();
  const auto& dead = states_dead();
  prune_result r;
  auto older_than = [](std::chrono::milliseconds keep) {
    return now() - std::chrono::duration_cast<std::chrono::microseconds>(keep);
  };
  for (;;) {
    auto n = co_await store::prune(db_, done, older_than(keep_completed), batch);
    r.completed += n;
    if (n < batch) break;
  }
  for (;;) {
    auto n = co_await store::prune(db_, dead, older_than(keep_discarded), batch);
    r.discarded += n;
    if (n < batch) break;
  }
  co_return r;
}

async<rescue_result> service::rescue() {
  constexpr int batch = 500;
  rescue_result r;
  for (;;) {
    auto rescued = co_await store::rescue(db_, batch);
    for (const auto& job : rescued) {
      if (job.state == "discarded") {
        ++r.discarded;
        log::error("job discarded: its worker died on the last attempt",
                   {{"job_id", job.id.str()},
                    {"kind", job.kind},
                    {"attempt", job.attempt},
                    {"errors", boost::json::serialize(job.errors)}});
      } else {
        ++r.retryable;
      }
    }
    if (static_cast<int>(rescued.size()) < batch) break;
  }
  co_return r;
}

async<void> service::remove(const uuid& id, const audit::origin& by) {
  auto tx = co_await db_.begin();
  bool removed = co_await store::remove(tx, id);
  if (!removed) {
    co_await tx.rollback();
    job current = co_await get(id);  // not_found when there is no such job
    throw conflict("The job is " + current.state + "; cancel it before deleting it.",
                   "job_running");
  }
  co_await record_action(tx, by, "admin.job_deleted", id);
  co_await tx.commit();
}

}  // namespace keel::jobs
