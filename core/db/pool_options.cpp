// The pool settings read from the configuration, shared by the three programs.
#include "core/db/pool.hpp"
#include "core/runtime/config.hpp"

namespace keel::db {

pool_options pool_options_from(const runtime::config& cfg, std::string application_name) {
  return {.url = cfg.database_url,
          .size = cfg.db_pool_size,
          .acquire_timeout = cfg.db_acquire_timeout,
          .statement_timeout = cfg.db_statement_timeout,
          .pgbouncer_mode = cfg.db_pgbouncer,
          .application_name = std::move(application_name),
          .pipeline_depth = cfg.db_pipeline_depth};
}

}  // namespace keel::db
