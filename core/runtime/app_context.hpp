// What keel-api and keel-worker both are made of: event loops, the PostgreSQL pool, the
// metrics registry with the pool's gauges, and the /metrics route that serves it.
#pragma once
#include <functional>
#include <string>

#include "core/db/pool.hpp"
#include "core/metrics/registry.hpp"
#include "core/runtime/async.hpp"
#include "core/runtime/event_loops.hpp"

namespace keel::http {
class router;
}

namespace keel::runtime {

class app_context {
 public:
  // `loop_count` event-loop threads and a pool on them (`pool.application_name` names the
  // program in pg_stat_activity).
  app_context(db::pool_options pool, int loop_count);
  ~app_context();
  app_context(const app_context&) = delete;
  app_context& operator=(const app_context&) = delete;

  // GET /metrics on `router`, the Prometheus text of `metrics`, hidden from the OpenAPI
  // document. `refresh`, when given, runs before each render (keel-worker reads its queue
  // depth there); a refresh that throws is logged and the rest is still served.
  void add_metrics_route(http::router& router, std::function<async<void>()> refresh = {});

  event_loops loops;
  db::pool db;
  metrics::registry metrics;  // already holds the pool's gauges
};

}  // namespace keel::runtime
