// What keel-worker is made of: configuration, event loop, the pool, metrics and the job kinds.
#pragma once
#include <memory>
#include <vector>

#include "core/db/pool.hpp"
#include "core/jobs/registry.hpp"
#include "core/metrics/registry.hpp"
#include "core/runtime/config.hpp"
#include "core/runtime/event_loops.hpp"

namespace keel::worker {

class app {
 public:
  explicit app(runtime::config cfg);
  ~app();

  // Runs jobs until SIGTERM/SIGINT, then stops gracefully; the process's exit status.
  int run();

  runtime::config cfg;
  // One loop: the runner's state lives on it without locks, and job handlers wait on the
  // database or the network rather than compute (CPU work belongs on a thread pool).
  runtime::event_loops loops;
  db::pool db;
  metrics::registry metrics;
  jobs::registry kinds;
};

}  // namespace keel::worker
