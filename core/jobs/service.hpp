// Jobs: enqueueing inside the caller's transaction, and the admin operations.
#pragma once
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/audit/dto.hpp"
#include "core/jobs/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::jobs {

// Arguments are taken by reference: await each call at once.
//
// Adds a job in `tx`: it exists if and only if `tx` commits, and workers are woken on commit.
// With options.unique_key, a job of the same kind and key that is still waiting or running is
// returned (existing = true) instead of adding a second one.
async<enqueued> enqueue(db::transaction& tx, std::string_view kind,
                        const boost::json::value& payload, const enqueue_options& options);

// The cause of the jobs an action of `from` enqueues.
inline cause cause_of(const audit::origin& from) {
  return {.request_id = from.request_id, .traceparent = from.traceparent};
}
// The same with the default options: queue "default", due now.
async<enqueued> enqueue(db::transaction& tx, std::string_view kind,
                        const boost::json::value& payload);

// Several jobs in `tx`, in one statement when none has a unique key; results in input order.
async<std::vector<enqueued>> enqueue_many(db::transaction& tx, const std::vector<new_job>& jobs);

struct prune_result {
  std::int64_t completed = 0;  // completed and cancelled jobs deleted
  std::int64_t discarded = 0;
};

struct rescue_result {
  std::int64_t retryable = 0;  // put back, the attempt counted
  std::int64_t discarded = 0;  // it was their last attempt
};

class service {
 public:
  explicit service(db::pool& db) : db_(db) {}

  // Throws keel::not_found when there is no such job.
  async<job> get(const uuid& id);

  // The admin actions below write their audit row ("admin.job_cancelled", ...) from `by` in
  // the transaction of the change, so the log shows exactly the changes that happened.

  // A waiting job is cancelled; a running one too, and its worker stops it at the handler's
  // next check. Throws keel::not_found, or keel::conflict when the job already finished.
  async<job> cancel(const uuid& id, const audit::origin& by);

  // A discarded, retryable or cancelled job runs again now. Throws keel::not_found, or
  // keel::conflict when it is waiting, running or completed, or another job holds its key.
  async<job> retry(const uuid& id, const audit::origin& by);

  // Newest first; next_cursor is null on the last page.
  async<job_page> list(const list_query& query);

  // Deletes a job for good. Throws keel::not_found, or keel::conflict while it runs (cancel
  // it first).
  async<void> remove(const uuid& id, const audit::origin& by);

  // Counts by queue and state (every state).
  async<job_stats> stats();

  // Deletes completed and cancelled jobs that finished more than `keep_completed` ago and
  // discarded ones older than `keep_discarded`, `batch` rows per statement so that no
  // statement holds many locks or runs long.
  async<prune_result> prune(std::chrono::milliseconds keep_completed,
                            std::chrono::milliseconds keep_discarded, int batch = 1000);

  // Returns the jobs of dead workers (lease expired) to the queue, or discards them when it
  // was their last attempt (logged at error level with their errors).
  async<rescue_result> rescue();

 private:
  // The audit row of an admin action on job `id`, in `tx`.
  async<void> record_action(db::transaction& tx, const audit::origin& by, std::string_view action,
                            const uuid& id);
  db::pool& db_;
};

}  // namespace keel::jobs
