// The database variables, and the pool options they make.
#include "core/db/settings.hpp"

namespace keel::db {

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              // name, field, default, required, secret, description, min, max
              {"DATABASE_URL", &s::url, "", true, true,
               "PostgreSQL URL, e.g. postgresql://user:pass@127.0.0.1:5432/keel"},
              {"DB_POOL_SIZE", &s::pool_size, "10", false, false,
               "PostgreSQL connections per process, split across event loops", 1, 1000},
              {"DB_ACQUIRE_TIMEOUT", &s::acquire_timeout, "5s", false, false,
               "Longest wait for a pooled connection before answering 503"},
              {"DB_STATEMENT_TIMEOUT", &s::statement_timeout, "30s", false, false,
               "Longest a statement may run before the server cancels it"},
              {"DB_PGBOUNCER", &s::pgbouncer, "false", false, false,
               "true behind PgBouncer transaction pooling: no named prepared statements"},
              {"DATABASE_DIRECT_URL", &s::direct_url, "", false, true,
               "PostgreSQL URL past PgBouncer, for LISTEN (keel-worker's wake-ups); unset "
               "behind PgBouncer: the worker polls"},
              {"DB_PIPELINE_DEPTH", &s::pipeline_depth, "16", false, false,
               "Statements that may share one connection in pipeline mode (0: one at a time)", 0,
               1024},
          },
      .check = {},
  };
  return d;
}

pool_options pool_options_from(const settings& s, std::string application_name) {
  return {.url = s.url,
          .size = s.pool_size,
          .acquire_timeout = s.acquire_timeout,
          .statement_timeout = s.statement_timeout,
          .pgbouncer_mode = s.pgbouncer,
          .application_name = std::move(application_name),
          .pipeline_depth = s.pipeline_depth};
}

}  // namespace keel::db
