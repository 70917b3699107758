// The worker runtime: claims jobs, runs their handlers, retries, rescues and stops gracefully.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/db/pool.hpp"
#include "core/runtime/async.hpp"

namespace keel::runtime {
class event_loops;
}

namespace keel::jobs {

class registry;
class job_metrics;

struct queue_config {
  std::string name;
  int concurrency = 1;  // jobs of this queue running at once in this worker
};

// "default:10,mail:4" entries as WORKER_QUEUES gives them; throws std::invalid_argument
// naming the bad entry.
std::vector<queue_config> parse_queues(const std::vector<std::string>& entries);

struct runner_options {
  std::vector<queue_config> queues{{"default", 10}};
  std::chrono::milliseconds lease{30000};           // a claim without a heartbeat lasts this long
  std::chrono::milliseconds poll_interval{1000};    // look for due jobs at least this often
  std::chrono::milliseconds shutdown_grace{30000};  // running jobs may finish within this
  // At most this many jobs claimed beyond the free slots, per queue (-1: twice the queue's
  // concurrency), so that the next batch is claimed while one runs. The runner buffers only
  // what its slots finish in about two claim round trips: short jobs get a buffer, jobs of a
  // second or more none. Buffered jobs are held like running ones (leased, heartbeated, put
  // back unchanged at a stop); a job enqueued later with a higher priority starts after them.
  int claim_ahead = -1;
  // Wake up on NOTIFY (a listener connection of its own). Off behind PgBouncer transaction
  // pooling, where LISTEN cannot work: then polling alone finds the work.
  bool listen = true;
  std::string worker_id = {};         // in locked_by and the logs; "host:pid" when empty
  db::pool_options listener_db = {};  // where the listener connects (the pool's options)
};

// "host:pid": unique among live workers, and readable in the jobs table.
std::string default_worker_id();

class runner {
 public:
  // Everything runs on loop 0 of `loops`, so the runner's state needs no locks; handlers
  // that compute rather than wait belong on a thread pool. `metrics` may be null.
  runner(runtime::event_loops& loops, db::pool& db, const registry& kinds, runner_options options,
         job_metrics* metrics = nullptr);
  ~runner();
  runner(const runner&) = delete;
  runner& operator=(const runner&) = delete;

  // Runs until a stop() has finished: running jobs done, or put back as available without
  // counting the attempt once shutdown_grace has passed. Await it on loop 0.
  async<void> run();

  // Begins the graceful stop: no more claims. Call on loop 0; again is harmless.
  void stop();

  // How many jobs this worker is running now (for tests and logs).
  int running() const;

  // How many jobs this worker has claimed ahead and not started yet (for tests).
  int buffered() const;

  // Jobs whose handlers ignored cancellation at the end of a stop (put back regardless).
  int abandoned() const;

  // Background loops (claims, completions, heartbeats, rescue, LISTEN) still busy when the
  // stop gave up waiting for them, typically on a database call; the program should end its
  // event loops rather than wait for the pool.
  int stuck_loops() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace keel::jobs
