// The database settings every program reads: which server, how many connections, how long
// to wait (DATABASE_URL, DB_POOL_SIZE, DB_*_TIMEOUT, DB_PGBOUNCER, DATABASE_DIRECT_URL,
// DB_PIPELINE_DEPTH).
#pragma once
#include <chrono>
#include <string>

#include "core/db/pool.hpp"
#include "core/runtime/config.hpp"

namespace keel::db {

struct settings {
  std::string url;  // secret: it may hold the password
  int pool_size = 10;
  std::chrono::milliseconds acquire_timeout{5000};
  std::chrono::milliseconds statement_timeout{30000};
  bool pgbouncer = false;
  // A session of its own for LISTEN (PgBouncer's transaction pooling cannot keep one): the
  // server itself, past PgBouncer. Empty: the pool's URL, or no LISTEN behind PgBouncer.
  std::string direct_url;  // secret, as url
  int pipeline_depth = 16;

  static const runtime::declaration<settings>& declared();
};

// `application_name` shows in pg_stat_activity, so ops can tell the programs apart.
pool_options pool_options_from(const settings& s, std::string application_name);

}  // namespace keel::db
