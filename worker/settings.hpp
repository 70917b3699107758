// keel-worker's configuration: the settings of every feature it links, one member each.
#pragma once
#include <boost/describe/class.hpp>

#include "core/db/settings.hpp"
#include "core/jobs/settings.hpp"
#include "core/mail/settings.hpp"
#include "core/ops/settings.hpp"
#include "core/runtime/settings.hpp"
#include "core/storage/settings.hpp"

namespace keel::worker {

struct settings {
  runtime::settings runtime;   // APP_ENV, LOG_LEVEL, LOG_FORMAT
  db::settings db;             // DATABASE_URL, DB_*
  jobs::worker_settings jobs;  // WORKER_*
  mail::settings mail;         // MAIL_TRANSPORT, SMTP_URL, MAIL_FROM
  storage::settings storage;   // S3_*, for upload variants and deletions
  ops::settings ops;           // JOBS_ALERT_DISCARDED, OPS_SAMPLE_INTERVAL
  ops::alert_settings alerts;  // ALERT_*
};
BOOST_DESCRIBE_STRUCT(settings, (), (runtime, db, jobs, mail, storage, ops, alerts))

}  // namespace keel::worker
