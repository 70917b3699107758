// What keel-api is made of: configuration, event loops, the pool, metrics and the routes.
#pragma once
#include <memory>
#include <typeindex>
#include <unordered_map>

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

  // The app's one `service` object, made on first use and kept alive as long as the app, so
  // that routes files share a service (auth's is used by the admin routes too) and capture
  // it by reference. Later calls return the first object; their arguments are not used.
  template <class service, class... args>
  service& make(args&&... a) {
    auto& slot = services_[std::type_index(typeid(service))];
    if (!slot) slot = std::make_shared<service>(std::forward<args>(a)...);
    return *static_cast<service*>(slot.get());
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
  std::unordered_map<std::type_index, std::shared_ptr<void>> services_;
  bool shutting_down_ = false;
};

}  // namespace keel::api
