// Jobs: enqueueing inside the caller's transaction, and the admin operations.
#pragma once
#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

#include "core/jobs/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::jobs {

// Adds a job in `tx`: it exists if and only if `tx` commits, and workers are woken on commit.
// With options.unique_key, a job of the same kind and key that is still waiting or running is
// returned (existing = true) instead of adding a second one.
async<enqueued> enqueue(db::transaction& tx, std::string_view kind, boost::json::value payload,
                        enqueue_options options = {});

// Several jobs in `tx`, in one statement when none has a unique key; results in input order.
async<std::vector<enqueued>> enqueue_many(db::transaction& tx, std::vector<new_job> jobs);

class service {
 public:
  explicit service(db::pool& db) : db_(db) {}

  // Throws keel::not_found when there is no such job.
  async<job> get(const uuid& id);

  // A waiting job is cancelled; a running one too, and its worker stops it at the handler's
  // next check. Throws keel::not_found, or keel::conflict when the job already finished.
  async<job> cancel(const uuid& id);

  // A discarded, retryable or cancelled job runs again now. Throws keel::not_found, or
  // keel::conflict when it is waiting, running or completed, or another job holds its key.
  async<job> retry(const uuid& id);

  // Newest first; next_cursor is null on the last page.
  async<job_page> list(const list_query& query);

  // Counts by queue and state (every state).
  async<job_stats> stats();

 private:
  db::pool& db_;
};

}  // namespace keel::jobs
