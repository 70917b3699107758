// The declaration of every configuration variable; .env.example must agree (a test checks).
#include "core/runtime/config.hpp"

namespace keel::runtime {

const std::vector<config_var>& config_vars() {
  using c = config;
  static const std::vector<config_var> vars = {
      // name, field, default, required, secret, description, programs, min, max
      {"DATABASE_URL", &c::database_url, "", true, true,
       "PostgreSQL URL, e.g. postgresql://user:pass@127.0.0.1:5432/keel"},
      {"REDIS_URL", &c::redis_url, "", false, true,
       "Redis URL (redis://host:6379/0); unset: in-process fallbacks for one instance"},
      {"DB_POOL_SIZE", &c::db_pool_size, "10", false, false,
       "PostgreSQL connections per process, split across event loops", every_program, 1, 1000},
      {"DB_ACQUIRE_TIMEOUT", &c::db_acquire_timeout, "5s", false, false,
       "Longest wait for a pooled connection before answering 503"},
      {"DB_STATEMENT_TIMEOUT", &c::db_statement_timeout, "30s", false, false,
       "Longest a statement may run before the server cancels it"},
      {"DB_PGBOUNCER", &c::db_pgbouncer, "false", false, false,
       "true behind PgBouncer transaction pooling: no named prepared statements"},
      {"DB_PIPELINE_DEPTH", &c::db_pipeline_depth, "16", false, false,
       "Statements that may share one connection in pipeline mode (0: one at a time)",
       every_program, 0, 1024},
      {"LOG_LEVEL", &c::log_level, "info", false, false, "debug, info, warn or error"},
      {"LOG_FORMAT", &c::log_format, "json", false, false,
       "json (one object per line) or pretty (for humans)"},
      {"SHUTDOWN_GRACE", &c::shutdown_grace, "10s", false, false,
       "How long in-flight work may take to finish after SIGTERM"},

      {"HOST", &c::host, "0.0.0.0", false, false, "Address keel-api listens on", api},
      {"PORT", &c::port, "8080", false, false, "Port keel-api listens on (0: any free port)", api,
       0, 65535},
      {"HTTP_THREADS", &c::http_threads, "0", false, false,
       "Event-loop threads of keel-api; 0: one per core", api, 0, 256},
      {"HTTP_BODY_LIMIT", &c::http_body_limit, "1048576", false, false,
       "Largest request body in bytes (413 beyond)", api, 1, 1LL << 30},
      {"HTTP_HEADER_TIMEOUT", &c::http_header_timeout, "10s", false, false,
       "Time a client has to send the request headers", api},
      {"HTTP_BODY_TIMEOUT", &c::http_body_timeout, "30s", false, false,
       "Time a client has to send the request body", api},
      {"HTTP_IDLE_TIMEOUT", &c::http_idle_timeout, "60s", false, false,
       "How long an idle keep-alive connection stays open", api},
      {"CORS_ORIGINS", &c::cors_origins, "", false, false,
       "Comma-separated origins allowed to call the API from a browser", api},
      {"HSTS", &c::hsts, "false", false, false,
       "true when served over HTTPS: adds Strict-Transport-Security", api},
      {"ACCESS_LOG", &c::access_log, "true", false, false, "One log line per HTTP request", api},

      {"WORKER_POLL_INTERVAL", &c::worker_poll_interval, "1s", false, false,
       "How often keel-worker looks for work when no notification came", worker},
      {"WORKER_QUEUES", &c::worker_queues, "default:10,mail:4", false, false,
       "Queues keel-worker runs and how many jobs of each at once (name:concurrency,...)", worker},
      {"WORKER_SHUTDOWN_GRACE", &c::worker_shutdown_grace, "30s", false, false,
       "How long running jobs may finish after SIGTERM before they are put back", worker},
      {"WORKER_LEASE", &c::worker_lease, "30s", false, false,
       "How long a claimed job is reserved without a heartbeat before it is rescued", worker},
      {"WORKER_METRICS_PORT", &c::worker_metrics_port, "0", false, false,
       "Port for keel-worker's /metrics on 127.0.0.1 (0: off)", worker, 0, 65535},
      {"MAIL_TRANSPORT", &c::mail_transport, "log", false, false,
       "smtp (send through SMTP_URL) or log (write messages to the log, for development)", worker},
      {"SMTP_URL", &c::smtp_url, "", false, true,
       "SMTP server, e.g. smtp://user:pass@host:587 (STARTTLS when offered)", worker},
      {"MAIL_FROM", &c::mail_from, "keel <no-reply@localhost>", false, false,
       "The From address of every message", worker},
      {"JOBS_RETAIN_COMPLETED", &c::jobs_retain_completed, "24h", false, false,
       "jobs.prune deletes completed and cancelled jobs older than this", cron},
      {"JOBS_RETAIN_DISCARDED", &c::jobs_retain_discarded, "14d", false, false,
       "jobs.prune deletes discarded jobs older than this", cron},

      {"APP_URL", &c::app_url, "http://localhost:8080", false, false,
       "The web app's address, for the links in emails (verify email, reset password)", api},
      {"SESSION_IDLE_TTL", &c::session_idle_ttl, "7d", false, false,
       "A session unused (not refreshed) this long ends", api},
      {"SESSION_MAX_TTL", &c::session_max_ttl, "30d", false, false,
       "A session ends this long after sign-in, however much it is used", api},
      {"REFRESH_REUSE_GRACE", &c::refresh_reuse_grace, "10s", false, false,
       "A spent refresh token presented again this soon gets the same new pair (two tabs)", api},
      {"COOKIE_SECURE", &c::cookie_secure, "false", false, false,
       "true over HTTPS: the refresh cookie is Secure; SameSite=None", api},
      {"RATE_LIMITS", &c::rate_limits, "true", false, false,
       "false turns the auth rate limits off (load tests only)", api},
  };
  return vars;
}

}  // namespace keel::runtime
