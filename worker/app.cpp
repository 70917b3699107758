// Building keel-worker's parts from its configuration, in order, and its start-to-exit sequence.
#include "worker/app.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <thread>

#include "core/http/router.hpp"
#include "core/http/server.hpp"
#include "core/jobs/metrics.hpp"
#include "core/jobs/runner.hpp"
#include "core/ops/signals.hpp"
#include "core/runtime/log.hpp"
#include "core/runtime/shutdown.hpp"

namespace keel::worker {

app::app(settings c)
    : app_context(db::pool_options_from(c.db, "keel-worker"), 1),
      cfg(std::move(c)),
      mail(mail::make_transport(cfg.mail)),
      bucket(cfg.storage.configured() ? std::make_unique<storage::bucket>(cfg.storage) : nullptr),
      s3(bucket ? std::make_unique<storage::s3_client>(*bucket) : nullptr),
      cpu(std::max(1u, std::thread::hardware_concurrency())) {}

app::~app() = default;

int app::run() {
  auto queues = jobs::parse_queues(cfg.jobs.queues);  // checked with the configuration
  std::vector<std::string> queue_names;
  for (const auto& q : queues) queue_names.push_back(q.name);
  jobs::job_metrics job_metrics(metrics, queue_names);

  jobs::runner_options options;
  options.queues = queues;
  options.lease = cfg.jobs.lease;
  options.poll_interval = cfg.jobs.poll_interval;
  options.shutdown_grace = cfg.jobs.shutdown_grace;
  // LISTEN needs a session, which PgBouncer's transaction pooling does not keep: behind it the
  // listener goes straight to the server when DATABASE_DIRECT_URL says where, or the worker polls.
  options.listen = !cfg.db.pgbouncer || !cfg.db.direct_url.empty();
  options.listener_db = db.options();
  if (!cfg.db.direct_url.empty()) {
    options.listener_db.url = cfg.db.direct_url;
    options.listener_db.pgbouncer_mode = false;
  }
  jobs::runner runner(loops, db, kinds, std::move(options), &job_metrics);

  http::router router;
  std::optional<http::server> metrics_server;
  if (cfg.jobs.metrics_port != 0) {
    // The queue depth is read from the database at each scrape.
    add_metrics_route(router, [&]() -> async<void> { co_await job_metrics.refresh_depth(db); });
    http::server_options server_options;
    server_options.host = "127.0.0.1";
    server_options.port = cfg.jobs.metrics_port;
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

  // The worker's own pool timeouts count with keel-api's; its alerts, when a webhook is set.
  ops::sampler samples(loops.loop(0), db, cfg.ops.sample_interval, [this] {
    return ops::sample{.pool_timeouts = static_cast<std::int64_t>(db.stats().timeouts)};
  });
  ops::alerter alerts(loops.loop(0), db, cpu, cfg.ops, cfg.alerts);
  samples.start();
  if (cfg.alerts.configured()) alerts.start();

  // The stop order: no more claims, running jobs finish or go back, then the pool closes.
  boost::asio::co_spawn(
      loops.loop(0),
      [&]() -> async<void> {
        co_await runner.run();
        samples.stop();
        alerts.stop();
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
