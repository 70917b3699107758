// What the runner's pieces share: the queues, the jobs this worker holds, and the signals
// between its loops. Everything lives on loop 0, so nothing here is locked.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/jobs/detail/wakeup.hpp"
#include "core/jobs/registry.hpp"
#include "core/jobs/runner.hpp"
#include "core/jobs/store.hpp"
#include "core/runtime/trace.hpp"

namespace keel::jobs {
class job_metrics;
}

namespace keel::jobs::detail {

struct queue_state {
  queue_state(queue_config c, int ahead, boost::asio::io_context& io)
      : cfg(std::move(c)), claim_ahead(ahead), wake(io) {}
  queue_config cfg;
  int claim_ahead;  // at most this many jobs claimed beyond the free slots (see claimer.cpp)
  wakeup wake;      // wakes the claim loop
  int running = 0;
  // Claimed ahead, in claim order: running and leased in the table, but not started yet.
  std::deque<store::claimed_job> buffer;
  int claims = 0;                                        // claims in flight
  int claiming = 0;                                      // jobs those claims asked for
  std::optional<steady::time_point> claim_paused_until;  // after a failed claim
  // Moving averages that size the buffer: how long a job of this queue runs, and a claim's
  // round trip (seconds; job_seconds < 0 until a job has finished).
  double job_seconds = -1;
  double claim_seconds = 0.001;
  bool due = true;          // look for work at the next chance (NOTIFY, poll, start)
  bool maybe_more = false;  // the last claim took all it asked for: more may be waiting
  std::optional<steady::time_point> next_retry;  // a job of ours failed and is due then
};

struct running_job {
  running_job(boost::asio::io_context& io, store::claimed_job j)
      : job(std::move(j)), stop_timer(io) {}
  store::claimed_job job;
  trace::span span;  // this attempt's, under the span that enqueued the job
  job_context ctx;
  boost::asio::steady_timer stop_timer;  // the kind's timeout; cancelled to stop the job early
};

// A failed attempt still to be recorded.
struct failure {
  uuid id;
  std::string kind;
  int attempt = 0;
  std::optional<std::string> request_id;
  trace::span span;  // the attempt's, for the lines that tell of the failure
  std::string error;
  milliseconds retry_in{0};
  bool discard = false;
  queue_state* queue = nullptr;  // looks again when the retry is due
};

// A job whose row another session holds locked, and what is to be written once the worker has
// the row: its completion, its failure, or (neither: it still runs) its lease. See locked.cpp.
struct locked_row {
  bool complete = false;
  std::optional<failure> failed;
  bool waiting = false;  // a waiter is on it
  steady::time_point since = steady::now();
};

struct runner_state {
  runner_state(runtime::event_loops& l, db::pool& d, const registry& k, runner_options o,
               job_metrics* m);

  runtime::event_loops& loops;
  boost::asio::io_context& io;
  db::pool& db;
  const registry& kinds;
  runner_options options;
  job_metrics* metrics;
  std::vector<std::unique_ptr<queue_state>> queues;
  std::map<uuid, std::unique_ptr<running_job>> running;
  std::vector<uuid> to_complete;  // finished successfully, not yet recorded as completed
  std::map<uuid, locked_row> locked;
  int lock_waiters = 0;
  wakeup stopped, idle, completer, heartbeat, rescuer, background_done;
  bool stopping = false;    // no more claims, nothing more starts
  bool finishing = false;   // the background loops end
  bool grace_over = false;  // the stop's grace has passed: running jobs are stopped
  bool database_down = false;
  int background = 0;
  int abandoned = 0;
  int stuck_loops = 0;

  // Every job this worker holds in the table: running, buffered, and completed or failed but
  // not yet recorded (their leases must outlive the retries).
  std::vector<uuid> held_ids() const;
  // Whether `id` is one of them (a claim of a job this worker already runs is not started).
  bool holds(const uuid& id) const;
  // Running or buffered: the handler has not ended.
  bool runs(const uuid& id) const;
  int buffered() const;

  // Logged once per outage, not once per failed statement.
  void database_trouble(std::string_view what, std::string_view error);
  void database_fine();
};

}  // namespace keel::jobs::detail
