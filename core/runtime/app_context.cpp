// The shared part of keel-api and keel-worker: loops, pool, metrics and /metrics.
#include "core/runtime/app_context.hpp"

#include <exception>

#include "core/http/endpoint.hpp"
#include "core/http/router.hpp"
#include "core/runtime/log.hpp"

namespace keel::runtime {
namespace {

void add_pool_gauges(metrics::registry& metrics, db::pool& db) {
  auto gauge = [&](const char* state, int db::pool_stats::*field) {
    metrics.add_gauge("keel_db_pool_connections", "PostgreSQL pool connections by state",
                      [&db, field] { return static_cast<double>(db.stats().*field); },
                      {{"state", state}});
  };
  gauge("max", &db::pool_stats::size);
  gauge("open", &db::pool_stats::open);
  gauge("idle", &db::pool_stats::idle);
  metrics.add_gauge("keel_db_pool_waiting", "Requests waiting for a pooled connection",
                    [&db] { return static_cast<double>(db.stats().waiting); });
}

}  // namespace

app_context::app_context(db::pool_options pool, int loop_count)
    : loops(loop_count), db(loops, std::move(pool)) {
  add_pool_gauges(metrics, db);
}

app_context::~app_context() = default;

void app_context::add_metrics_route(http::router& router, std::function<async<void>()> refresh) {
  router.add(
      http::get("/metrics", {.summary = "Prometheus metrics", .tag = "system", .hidden = true},
                [this, refresh = std::move(refresh)](http::input<>&) -> async<http::response> {
                  if (refresh) {
                    try {
                      co_await refresh();
                    } catch (const std::exception& e) {
                      log::warn("metrics not refreshed", {{"error", e.what()}});
                    }
                  }
                  co_return http::response::text(metrics.render(),
                                                 "text/plain; version=0.0.4; charset=utf-8");
                }));
}

}  // namespace keel::runtime
