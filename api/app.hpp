// What keel-api is made of: configuration, event loops, the pool, metrics and the routes.
#pragma once
#include <memory>
#include <vector>

#include "core/db/pool.hpp"
#include "core/http/router.hpp"
#include "core/metrics/registry.hpp"
#include "core/ratelimit/limiter.hpp"
#include "core/redis/client.hpp"
#include "core/runtime/config.hpp"
#include "core/runtime/event_loops.hpp"

namespace keel::api {

class app {
 public:
  explicit app(runtime::config cfg);
  ~app();

  // Serves until SIGTERM/SIGINT, then drains; the process's exit status.
  int run();

  // Ready means the database (and Redis, when configured) answers and no shutdown has begun.
  bool shutting_down() const { return shutting_down_; }

  // Keeps a feature's service alive as long as the app; routes capture the reference.
  template <class service, class... args>
  service& make(args&&... a) {
    auto owned = std::make_shared<service>(std::forward<args>(a)...);
    services_.push_back(owned);
    return *owned;
  }

  runtime::config cfg;
  runtime::event_loops loops;
  db::pool db;
  std::unique_ptr<redis::client> redis;  // only when REDIS_URL is set
  // Rate limits for routes: shared through Redis when it is configured, in-process otherwise.
  std::unique_ptr<ratelimit::limiter> limiter;
  metrics::registry metrics;
  http::router router;

 private:
  void add_pool_gauges();
  std::vector<std::shared_ptr<void>> services_;
  bool shutting_down_ = false;
};

}  // namespace keel::api
