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

  // Keeps a feature's service alive as long as the app; handlers capture the reference.
  template <class service, class... args>
  service& make(args&&... a) {
    auto owned = std::make_shared<service>(std::forward<args>(a)...);
    services_.push_back(owned);
    return *owned;
  }

  runtime::config cfg;
  // One loop: the runner's state lives on it without locks, and job handlers wait on the
  // database or the network rather than compute (CPU work belongs on a thread pool).
  runtime::event_loops loops;
  db::pool db;
  metrics::registry metrics;
  jobs::registry kinds;

 private:
  std::vector<std::shared_ptr<void>> services_;
};

}  // namespace keel::worker
