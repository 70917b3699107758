// keel-cron's configuration, read when a task that needs the database runs: the settings of
// every feature its tasks use, one member each.
#pragma once
#include <boost/describe/class.hpp>

#include "core/db/settings.hpp"
#include "core/jobs/settings.hpp"
#include "core/realtime/settings.hpp"
#include "core/runtime/settings.hpp"

namespace keel::cron {

struct settings {
  runtime::settings runtime;      // APP_ENV, LOG_LEVEL, LOG_FORMAT
  db::settings db;                // DATABASE_URL, DB_*
  jobs::retention_settings jobs;  // JOBS_RETAIN_* (jobs.prune)
  realtime::settings realtime;    // REALTIME_* (realtime.prune reads REALTIME_REPLAY)
};
BOOST_DESCRIBE_STRUCT(settings, (), (runtime, db, jobs, realtime))

}  // namespace keel::cron
