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
  std::optional<std::string> traceparent;  // of the span that enqueued it
};

// After a failed attempt: "retryable" or "discarded", and every error so far; or, when
// another session holds the job's row locked, `locked` and nothing written.
struct failed_job {
  std::string state;
  boost::json::value errors;
  bool locked = false;
};

// After a heartbeat: the jobs whose leases were extended, and those skipped because another
// session holds their rows locked (still this worker's, their leases not extended).
struct heartbeat_result {
  std::vector<uuid> held;
  std::vector<uuid> locked;
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
// heartbeat and its batched completions never deadlock with each other. None of them waits
// for a row that another session holds locked (an operator's psql, an application
// transaction): it skips that row and says so, so that one locked row holds up no other job,
// and no statement queued behind it on a shared pipelined connection. The *_locked functions
// below then deal with such a row alone.
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

// Marks jobs this worker still holds as completed. Returns the ids skipped because their rows
// are locked (for complete_locked); an id neither completed nor returned is no longer held.
async<std::vector<uuid>> complete(db::pool& db, const std::vector<uuid>& ids,
                                  std::string_view worker);

// Records a failed attempt: retryable at now + `retry_in`, or discarded when the attempts are
// used up or `discard` is set. nullopt when the worker no longer holds the job; `locked` when
// its row is locked (for fail_locked).
async<std::optional<failed_job>> fail(db::pool& db, const uuid& id, std::string_view worker,
                                      std::string_view message, std::chrono::milliseconds retry_in,
                                      bool discard);

// Extends the leases of jobs this worker holds. An id in neither list of the result is no
// longer held (cancelled or rescued meanwhile).
async<heartbeat_result> heartbeat(db::pool& db, const std::vector<uuid>& ids,
                                  std::string_view worker, std::chrono::milliseconds lease);

// Puts jobs this worker holds back as available without counting the attempt (graceful stop);
// the number put back. A locked row stays running and comes back through its lease.
async<std::int64_t> release(db::pool& db, const std::vector<uuid>& ids, std::string_view worker);

// Running jobs whose lease ran out (their worker died) become retryable now, the attempt
// counted and an error recorded, or discarded when it was the last; at most `limit` of them.
// A locked row is skipped (it is not given up while someone works on it).
async<std::vector<rescued_job>> rescue(db::pool& db, int limit);

// The same, run by a live worker: the jobs in `keep` that `worker` holds are never rescued,
// whatever their lease says (a locked row kept their heartbeats from being written).
async<std::vector<rescued_job>> rescue(db::pool& db, int limit, std::string_view worker,
                                       const std::vector<uuid>& keep);

// ---- one job whose row another session holds locked ----
// Each waits for the row at most `wait` (lock_timeout, in a transaction on a connection of its
// own, so that the wait holds up no other statement) and throws db::error with sqlstate
// lock_not_available when the row stays locked. While it waits, the worker is first in the
// row's lock queue: when the lock goes, it gets the row before any rescuer looks.
inline constexpr std::string_view lock_not_available = "55P03";

// complete() for one job; false when it is no longer held.
async<bool> complete_locked(db::pool& db, const uuid& id, std::string_view worker,
                            std::chrono::milliseconds wait);

// fail() for one job (never `locked`).
async<std::optional<failed_job>> fail_locked(db::pool& db, const uuid& id, std::string_view worker,
                                             std::string_view message,
                                             std::chrono::milliseconds retry_in, bool discard,
                                             std::chrono::milliseconds wait);

// heartbeat() for one job; false when it is no longer held.
async<bool> extend_locked(db::pool& db, const uuid& id, std::string_view worker,
                          std::chrono::milliseconds lease, std::chrono::milliseconds wait);

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

// Deletes at most `limit` jobs in `states` (finished states) that finished before `before`;
// a row another session holds locked is left for the next run rather than waited for.
async<std::int64_t> prune(db::pool& db, const std::vector<std::string>& states, timestamp before,
                          int limit);

// Deletes a job that is not running; whether it deleted one.
async<bool> remove(db::transaction& tx, const uuid& id);

}  // namespace keel::jobs::store
