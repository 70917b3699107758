// The SQL of the job queue, and nothing else: one query per function.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/jobs/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::jobs::store {

// Workers LISTEN here. The payload is the queue that has new work, or the id of a job that
// was cancelled while running. NOTIFY is transactional: it is delivered only on commit.
inline constexpr std::string_view wake_channel = "keel_jobs";
inline constexpr std::string_view cancel_channel = "keel_jobs_cancel";

// A job a worker just took: what the handler needs.
struct claimed_job {
  uuid id;
  std::string queue;
  std::string kind;
  boost::json::value payload;
  int attempt = 0;
  int max_attempts = 0;
  std::optional<std::string> request_id;
};

// After a failed attempt: "retryable" or "discarded", and every error so far.
struct failed_job {
  std::string state;
  boost::json::value errors;
};

struct rescued_job {
  uuid id;
  std::string queue;
  std::string kind;
  std::string state;  // retryable or discarded
  int attempt = 0;
  boost::json::value errors;
};

// Where a list page ends (ids are UUIDv7: newest first is id descending).
struct position {
  uuid id;
};
BOOST_DESCRIBE_STRUCT(position, (), (id))

// ---- enqueue (inside the caller's transaction) ----

// The new job's id, or nullopt when a waiting or running job has the same kind and key.
async<std::optional<uuid>> insert(db::transaction& tx, std::string_view kind,
                                  const boost::json::value& payload, const enqueue_options& o);

// The waiting or running job with this kind and unique key.
async<std::optional<uuid>> find_unique(db::transaction& tx, std::string_view kind,
                                       std::string_view unique_key);

// Many jobs without unique keys in one statement; their ids in input order.
async<std::vector<uuid>> insert_many(db::transaction& tx, const std::vector<new_job>& jobs);

// ---- the worker ----
// Statements that touch several jobs lock them in id order first, so that a worker's
// heartbeat and its batched completions never deadlock with each other.
//
// async_commit: claim and complete, the two statements of every job, commit with
// synchronous_commit off for their own transaction only (set_config(..., true)). A commit is
// then acknowledged before its WAL is flushed; it is visible and locked exactly as before, so
// nothing changes while PostgreSQL runs. Only a crash of PostgreSQL itself (not of a worker)
// within about three wal_writer_delay can lose such a commit, and either loss only makes a
// job run again, which at-least-once delivery and idempotent handlers allow (each function
// says why). WAL is flushed in order, so a later durable commit (a handler's write, enqueue)
// makes every earlier claim and completion durable too. fail, release and the rest stay
// fully durable: they are rare.

// Takes up to `limit` due jobs of `queue` (highest priority, then earliest run_at), marks
// them running for `worker` until now + `lease`, and counts the attempt.
async<std::vector<claimed_job>> claim(db::pool& db, std::string_view queue, int limit,
                                      std::chrono::milliseconds lease, std::string_view worker);

// Marks jobs this worker still holds as completed; the number marked.
async<std::int64_t> complete(db::pool& db, const std::vector<uuid>& ids, std::string_view worker);

// Records a failed attempt: retryable at now + `retry_in`, or discarded when the attempts are
// used up or `discard` is set. nullopt when the worker no longer holds the job.
async<std::optional<failed_job>> fail(db::pool& db, const uuid& id, std::string_view worker,
                                      std::string_view message, std::chrono::milliseconds retry_in,
                                      bool discard);

// Extends the leases of jobs this worker holds; the ids it still holds (a missing one was
// cancelled or rescued meanwhile).
async<std::vector<uuid>> heartbeat(db::pool& db, const std::vector<uuid>& ids,
                                   std::string_view worker, std::chrono::milliseconds lease);

// Puts jobs this worker holds back as available without counting the attempt (graceful stop).
async<std::int64_t> release(db::pool& db, const std::vector<uuid>& ids, std::string_view worker);

// Running jobs whose lease ran out (their worker died) become retryable now, the attempt
// counted and an error recorded, or discarded when it was the last; at most `limit` of them.
async<std::vector<rescued_job>> rescue(db::pool& db, int limit);

// ---- admin ----

async<std::optional<job>> find(db::pool& db, const uuid& id);

// A waiting or running job becomes cancelled (a running one is told through cancel_channel,
// on commit). The job's state afterwards, or nullopt when no such job is waiting or running.
async<std::optional<std::string>> cancel(db::transaction& tx, const uuid& id);

// A discarded, retryable or cancelled job becomes available now, with fresh attempts.
// The job's state afterwards, or nullopt when there is no such job in those states.
async<std::optional<std::string>> retry_now(db::transaction& tx, const uuid& id);

async<std::vector<job>> list(db::pool& db, const list_query& filters,
                             const std::optional<position>& after, int limit);

// Counts by queue and state; only the unfinished states when `unfinished_only`.
async<std::vector<state_count>> counts(db::pool& db, bool unfinished_only);

// Deletes at most `limit` jobs in `states` (finished states) that finished before `before`.
async<std::int64_t> prune(db::pool& db, const std::vector<std::string>& states, timestamp before,
                          int limit);

// Deletes a job that is not running; whether it deleted one.
async<bool> remove(db::transaction& tx, const uuid& id);

}  // namespace keel::jobs::store
