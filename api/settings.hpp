// keel-api's configuration: the settings of every feature it links, one member each. Adding a
// feature with settings adds one member here (and its variables to .env.example).
#pragma once
#include <boost/describe/class.hpp>

#include "core/auth/settings.hpp"
#include "core/cache/settings.hpp"
#include "core/db/settings.hpp"
#include "core/http/settings.hpp"
#include "core/ops/settings.hpp"
#include "core/ratelimit/settings.hpp"
#include "core/realtime/settings.hpp"
#include "core/redis/settings.hpp"
#include "core/runtime/settings.hpp"
#include "core/storage/settings.hpp"
#include "core/uploads/settings.hpp"
#include "core/web_vitals/settings.hpp"

namespace keel::api {

struct settings {
  runtime::settings runtime;        // APP_ENV, LOG_LEVEL, LOG_FORMAT
  db::settings db;                  // DATABASE_URL, DB_*
  redis::settings redis;            // REDIS_URL
  http::settings http;              // HOST, PORT, HTTP_*, CORS_ORIGINS, ..., SHUTDOWN_GRACE
  auth::settings auth;              // JWT_*, ACCESS_TOKEN_TTL, SESSION_*, PASSWORD_HASH_*, ...
  ratelimit::settings limits;       // RATE_LIMITS
  storage::settings storage;        // S3_*, UPLOAD_URL_TTL
  uploads::settings uploads;        // UPLOAD_DAILY_*
  web_vitals::settings web_vitals;  // WEB_VITALS_ROUTES
  cache::settings cache;            // CACHE_*
  realtime::settings realtime;      // REALTIME_*
  ops::settings ops;                // JOBS_ALERT_DISCARDED, OPS_SAMPLE_INTERVAL
};
BOOST_DESCRIBE_STRUCT(settings, (),
                      (runtime, db, redis, http, auth, limits, storage, uploads, web_vitals, cache,
                       realtime, ops))

}  // namespace keel::api
