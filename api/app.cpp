// Building keel-api's parts from its configuration, in order, and its start-to-exit sequence.
#include "api/app.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "core/http/server.hpp"
#include "core/metrics/http_metrics.hpp"
#include "core/realtime/limits.hpp"
#include "core/rules/limits.hpp"
#include "core/runtime/log.hpp"
#include "core/runtime/shutdown.hpp"
#include "core/uploads/limits.hpp"
#include "core/web_vitals/limits.hpp"

namespace keel::api {

app::app(settings c)
    : app_context(db::pool_options_from(c.db, "keel-api"), c.http.loop_count()),
      cfg(std::move(c)),
      redis(cfg.redis.configured()
                ? std::make_unique<redis::client>(loops, redis::options_from(cfg.redis))
                : nullptr),
      limiter(redis ? ratelimit::make_redis_limiter(*redis) : ratelimit::make_memory_limiter()),
      cache_store(cache::make_store(cfg.cache, redis.get())),
      catalog_cache("catalog", *cache_store, metrics, cfg.cache.ttl),
      rules_cache("rules", *cache_store, metrics, cfg.cache.ttl),
      templates(db),
      auth(db, cfg.auth),
      authenticator(auth),
      auth_cookies(cfg.http, cfg.auth),
      users(db),
      jobs(db),
      status(db, cfg.ops),
      samples(loops.loop(0), db, cfg.ops.sample_interval,
              [this] {
                auto http = metrics::http_metrics::read(metrics);
                return ops::sample{.requests = static_cast<std::int64_t>(http.requests),
                                   .errors_5xx = static_cast<std::int64_t>(http.errors_5xx),
                                   .pool_timeouts = static_cast<std::int64_t>(db.stats().timeouts)};
              }),
      live(loops, db, metrics, cfg.realtime),
      live_broker(redis ? std::make_unique<realtime::broker>(loops, *redis, &live) : nullptr),
      events(&live, live_broker.get()),
      live_tickets(db, [this](const std::vector<uuid>& s) { return auth.open_sessions(s); }),
      rules(db, cfg.auth.app_url, rules_cache, events),
      bucket(cfg.storage.configured() ? std::make_unique<storage::bucket>(cfg.storage) : nullptr),
      s3(bucket ? std::make_unique<storage::s3_client>(*bucket) : nullptr),
      uploads(db, bucket.get(), s3.get(), cfg.uploads),
      vitals(metrics, cfg.web_vitals) {
  // The router's hooks (who is calling, which limits apply) are wired here, from the services
  // above, before main.cpp adds the routes; run() checks every route against them.
  router.guard().authenticate = &authenticator;
  router.guard().limiter = limiter.get();
  router.guard().count_limits = cfg.limits.enabled;
  router.guard().add_limits(auth::rate_limits());
  router.guard().add_limits(rulebook::rate_limits());
  router.guard().add_limits(realtime::rate_limits());
  router.guard().add_limits(uploads::rate_limits());
  router.guard().add_limits(web_vitals::rate_limits());
  // A create flow started signed out: the draft sent with the emailed code becomes the
  // account's draft in the transaction of that sign-in.
  auth.set_draft_handoff(&rulebook::keep_handed_on_draft);
  // Live connections end with their session; rule channels are for the rule's people.
  live.set_session_check([this](const std::vector<uuid>& s) { return auth.open_sessions(s); });
  live.set_rule_authorizer(
      [this](const uuid& user, const uuid& rule) { return rules.may_follow(user, rule); });
  live.set_broker(live_broker.get());
}

app::~app() = default;

int app::run() {
  // A route that names a limit no feature declares, or needs a caller with no authenticator
  // wired, is a mistake in the program: refuse to start, as for a bad setting.
  if (auto problems = router.check(); !problems.empty()) {
    for (const auto& p : problems) log::error("a route cannot be served", {{"problem", p}});
    return 2;
  }
  http::server server(loops, router, http::server_options_from(cfg.http), metrics);
  try {
    server.start();
  } catch (const std::exception& e) {
    log::error("cannot start the HTTP server", {{"error", e.what()}});
    return 1;
  }
  live.start();
  if (live_broker) live_broker->start();
  samples.start();
  // The drain order: /ready fails first and, for SHUTDOWN_DELAY, everything is still served
  // while a load balancer takes the instance out; then live connections are told to go
  // elsewhere (1001), the server drains, and the broker, the pool and Redis close.
  runtime::shutdown_signal signal(loops, [&] {
    shutting_down_ = true;
    boost::asio::co_spawn(
        loops.loop(0),
        [&]() -> async<void> {
          if (cfg.http.shutdown_delay.count() > 0) {
            log::info("keel-api: /ready fails from now, stopping after the shutdown delay",
                      {{"delay_ms", cfg.http.shutdown_delay.count()}});
            boost::asio::steady_timer delay(loops.loop(0), cfg.http.shutdown_delay);
            co_await delay.async_wait(boost::asio::use_awaitable);
          }
          co_await live.close_all(std::chrono::milliseconds(2000));
          co_await server.shutdown(cfg.http.shutdown_grace);
          samples.stop();
          if (live_broker) co_await live_broker->stop();
          co_await db.close();
          if (redis) co_await redis->close();
          signal.cancel();
          loops.release_work();
        },
        boost::asio::detached);
  });
  log::info("keel-api listening", {{"host", cfg.http.host},
                                   {"port", server.port()},
                                   {"threads", loops.size()},
                                   {"db_pool_size", cfg.db.pool_size}});
  loops.run();
  log::info("keel-api stopped");
  return 0;
}

}  // namespace keel::api
