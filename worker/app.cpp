// Building keel-worker from its configuration, and its start-to-exit sequence.
#include "worker/app.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <exception>
#include <optional>

#include "core/http/endpoint.hpp"
#include "core/http/router.hpp"
#include "core/http/server.hpp"
#include "core/jobs/metrics.hpp"
#include "core/jobs/runner.hpp"
#include "core/runtime/log.hpp"
#include "core/runtime/shutdown.hpp"

namespace keel::worker {
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
}

// GET /metrics on 127.0.0.1 only: the queue depth is read from the database at each scrape.
void add_metrics_route(http::router& router, metrics::registry& metrics, jobs::job_metrics& jm,
                       db::pool& db) {
  router.add(http::get("/metrics", {.summary = "Prometheus metrics", .tag = "system"},
                       [&](http::input<>&) -> async<http::response> {
                         try {
                           co_await jm.refresh_depth(db);
                         } catch (const std::exception& e) {
                           log::warn("queue depth not read", {{"error", e.what()}});
                         }
                         co_return http::response::text(metrics.render(),
                                                        "text/plain; version=0.0.4; charset=utf-8");
                       }));
}

}  // namespace

app::app(runtime::config c)
    : cfg(std::move(c)), loops(1), db(loops, db::pool_options_from(cfg, "keel-worker")) {}

app::~app() = default;

int app::run() {
  std::vector<jobs::queue_config> queues;
  try {
    queues = jobs::parse_queues(cfg.worker_queues);
  } catch (const std::exception& e) {
    log::error("invalid configuration", {{"error", e.what()}});
    return 2;
  }
  std::vector<std::string> queue_names;
  for (const auto& q : queues) queue_names.push_back(q.name);
  jobs::job_metrics job_metrics(metrics, queue_names);
  add_pool_gauges(metrics, db);

  jobs::runner_options options;
  options.queues = queues;
  options.lease = cfg.worker_lease;
  options.poll_interval = cfg.worker_poll_interval;
  options.shutdown_grace = cfg.worker_shutdown_grace;
  options.listen = !cfg.db_pgbouncer;  // LISTEN needs a session, which PgBouncer does not keep
  options.listener_db = db.options();
  jobs::runner runner(loops, db, kinds, std::move(options), &job_metrics);

  http::router router;
  std::optional<http::server> metrics_server;
  if (cfg.worker_metrics_port != 0) {
    add_metrics_route(router, metrics, job_metrics, db);
    http::server_options server_options;
    server_options.host = "127.0.0.1";
    server_options.port = cfg.worker_metrics_port;
    server_options.access_log = false;
    metrics_server.emplace(loops, router, server_options, metrics);
    try {
      metrics_server->start();
    } catch (const std::exception& e) {
      log::error("cannot serve metrics", {{"error", e.what()}});
      return 1;
    }
    log::info("worker metrics listening", {{"port", metrics_server->port()}});
  }

  // The stop order: no more claims, running jobs finish or go back, then the pool closes.
  boost::asio::co_spawn(
      loops.loop(0),
      [&]() -> async<void> {
        co_await runner.run();
        if (metrics_server) co_await metrics_server->shutdown(std::chrono::seconds(1));
        if (runner.abandoned() > 0 || runner.stuck_loops() > 0) {
          // Their handlers (or stuck loops) still hold connections and timers: end the loops
          // under them rather than wait for the pool.
          loops.stop();
          co_return;
        }
        co_await db.close();
        loops.release_work();
      },
      boost::asio::detached);
  runtime::shutdown_signal signal(loops, [&] {
    signal.cancel();
    runner.stop();
  });
  log::info("keel-worker started");
  loops.run();
  log::info("keel-worker stopped");
  return 0;
}

}  // namespace keel::worker
