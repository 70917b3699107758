// Configuration: every variable declared once, read from the environment at start-up.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace keel::runtime {

// The programs a variable is read by (a bit set).
enum program : unsigned { api = 1, worker = 2, cron = 4, every_program = api | worker | cron };

// The settings of all three programs; each reads only the variables declared for it.
struct config {
  // Every program
  std::string database_url;
  std::string redis_url;
  int db_pool_size = 0;
  std::chrono::milliseconds db_acquire_timeout{};
  std::chrono::milliseconds db_statement_timeout{};
  bool db_pgbouncer = false;
  int db_pipeline_depth = 0;
  std::string log_level;
  std::string log_format;
  std::chrono::milliseconds shutdown_grace{};
  // keel-api
  std::string host;
  int port = 0;
  int http_threads = 0;
  std::size_t http_body_limit = 0;
  std::chrono::milliseconds http_header_timeout{};
  std::chrono::milliseconds http_body_timeout{};
  std::chrono::milliseconds http_idle_timeout{};
  std::vector<std::string> cors_origins;
  bool hsts = false;
  bool access_log = true;
  int trusted_proxy_hops = 0;
  // keel-api auth
  std::string jwt_signing_keys;  // "kid:seed,..." (secret): see core/auth/jwt.hpp
  std::string jwt_issuer;
  std::chrono::milliseconds access_token_ttl{};
  int password_hash_memory = 0;  // MiB
  int password_hash_ops = 0;
  int password_hash_threads = 0;
  int password_hash_queue = 0;
  // keel-worker
  std::chrono::milliseconds worker_poll_interval{};
  std::vector<std::string> worker_queues;  // "name:concurrency" entries
  std::chrono::milliseconds worker_shutdown_grace{};
  std::chrono::milliseconds worker_lease{};
  int worker_metrics_port = 0;
  // mail (sent by keel-worker only)
  std::string mail_transport;
  std::string smtp_url;
  std::string mail_from;
  // keel-cron jobs tasks
  std::chrono::milliseconds jobs_retain_completed{};
  std::chrono::milliseconds jobs_retain_discarded{};
  // auth (keel-api)
  std::string app_url;
  std::chrono::milliseconds session_idle_ttl{};
  std::chrono::milliseconds session_max_ttl{};
  std::chrono::milliseconds refresh_reuse_grace{};
  bool cookie_secure = false;
  bool rate_limits = true;
};

using config_field =
    std::variant<std::string config::*, int config::*, std::size_t config::*, bool config::*,
                 std::chrono::milliseconds config::*, std::vector<std::string> config::*>;

struct config_var {
  std::string_view name;
  config_field field;
  std::string_view default_value;  // used when unset; empty and not required means "off"
  bool required = false;
  bool secret = false;  // never printed: not in --help defaults, not in logs
  std::string_view description;
  unsigned programs = every_program;
  long long min = 0;          // for integers and sizes
  long long max = 1LL << 40;  // for integers and sizes
};

// The one declaration of every variable (core/runtime/config_vars.cpp).
const std::vector<config_var>& config_vars();

// Thrown with every problem found, one per line, so they can be fixed in one go.
class config_error : public std::runtime_error {
 public:
  explicit config_error(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;
env_lookup process_environment();

// Reads the variables of `p`; throws config_error listing all problems.
config load_config(unsigned p, const env_lookup& env = process_environment());

// "250ms", "10s", "5m", "24h", "14d"; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The variables of `p` as --help shows them: name, default, description.
std::string describe_variables(unsigned p);

}  // namespace keel::runtime
