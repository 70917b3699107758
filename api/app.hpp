// What keel-api is made of, in the order each part is built: the shared context (loops, pool,
// metrics), Redis and the rate limiter, then every feature's services, then the router that
// main.cpp fills with the routes files, each handed the services it uses.
#pragma once
#include <atomic>
#include <memory>

#include "api/routes/auth_web.hpp"
#include "api/routes/session_authenticator.hpp"
#include "api/settings.hpp"
#include "core/auth/admin.hpp"
#include "core/auth/limits.hpp"
#include "core/auth/service.hpp"
#include "core/cache/cache.hpp"
#include "core/catalog/service.hpp"
#include "core/http/router.hpp"
#include "core/jobs/service.hpp"
#include "core/ops/service.hpp"
#include "core/ops/signals.hpp"
#include "core/ratelimit/limiter.hpp"
#include "core/realtime/broker.hpp"
#include "core/realtime/hub.hpp"
#include "core/realtime/publisher.hpp"
#include "core/realtime/tickets.hpp"
#include "core/redis/client.hpp"
#include "core/rules/service.hpp"
#include "core/runtime/app_context.hpp"
#include "core/storage/bucket.hpp"
#include "core/storage/s3_client.hpp"
#include "core/uploads/service.hpp"
#include "core/web_vitals/recorder.hpp"

namespace keel::api {

class app : public runtime::app_context {
 public:
  explicit app(settings cfg);
  ~app();

  // Serves until SIGTERM/SIGINT, then drains; the process's exit status.
  int run();

  // Ready means the database (and Redis, when configured) answers and no shutdown has begun.
  bool shutting_down() const { return shutting_down_.load(std::memory_order_relaxed); }

  settings cfg;
  std::unique_ptr<redis::client> redis;  // only when REDIS_URL is set
  // Rate limits for routes: shared through Redis when it is configured, in-process otherwise.
  std::unique_ptr<ratelimit::limiter> limiter;
  // Cached public reads: in Redis when it is configured (every instance shares them and a
  // write's invalidation reaches all), in a bounded in-process LRU otherwise.
  std::unique_ptr<cache::store> cache_store;
  cache::cache catalog_cache;  // templates and methods
  cache::cache rules_cache;    // public rule reads

  // The features' services, each built from what is above it.
  catalog::service templates;  // governance templates and the method catalog
  auth::service auth;
  session_authenticator authenticator;  // the router's: who a route declared user/admin serves
  auth_web auth_cookies;                // how tokens reach browsers (api/routes/auth_web.hpp)
  auth::admin users;
  jobs::service jobs;
  ops::service status;   // GET /api/v1/admin/status
  ops::sampler samples;  // this instance's requests, 5xx and pool timeouts, for the alert hook
  // Live events: this instance's connections, the other instances through Redis (when it is
  // configured), the publisher features write events with, and the tickets browsers connect by.
  realtime::hub live;
  std::unique_ptr<realtime::broker> live_broker;
  realtime::publisher events;
  realtime::tickets live_tickets;
  rulebook::service rules;  // drafts, published rules, stakeholders and invites
  // Storage, only when S3_BUCKET is set: the bucket's addresses and keel's own requests to it.
  std::unique_ptr<storage::bucket> bucket;
  std::unique_ptr<storage::s3_client> s3;
  uploads::service uploads;
  web_vitals::recorder vitals;  // browsers' web vitals, as histograms on /metrics

  http::router router;

 private:
  std::atomic<bool> shutting_down_{false};  // set by the signal, read by /ready on every loop
};

}  // namespace keel::api
