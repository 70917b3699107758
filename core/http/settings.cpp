// The HTTP server's variables, the checks on CORS_ORIGINS, and the server options they make.
#include "core/http/settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace keel::http {

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              // name, field, default, required, secret, description, min, max
              {"HOST", &s::host, "0.0.0.0", false, false, "Address keel-api listens on"},
              {"PORT", &s::port, "8080", false, false,
               "Port keel-api listens on (0: any free port)", 0, 65535},
              {"HTTP_THREADS", &s::threads, "0", false, false,
               "Event-loop threads of keel-api; 0: one per core", 0, 256},
              {"HTTP_BODY_LIMIT", &s::body_limit, "1048576", false, false,
               "Largest request body in bytes (413 beyond)", 1, 1LL << 30},
              {"HTTP_HEADER_TIMEOUT", &s::header_timeout, "10s", false, false,
               "Time a client has to send the request headers"},
              {"HTTP_BODY_TIMEOUT", &s::body_timeout, "30s", false, false,
               "Time a client has to send the request body"},
              {"HTTP_IDLE_TIMEOUT", &s::idle_timeout, "60s", false, false,
               "How long an idle keep-alive connection stays open"},
              {"CORS_ORIGINS", &s::cors_origins, "", false, false,
               "Comma-separated origins allowed to call the API from a browser"},
              {"HSTS", &s::hsts, "false", false, false,
               "true when served over HTTPS: adds Strict-Transport-Security"},
              {"ACCESS_LOG", &s::access_log, "true", false, false, "One log line per HTTP request"},
              {"TRUSTED_PROXY_HOPS", &s::trusted_proxy_hops, "0", false, false,
               "Proxies in front of keel-api that append to X-Forwarded-For (1 behind one load "
               "balancer); 0: the client is the TCP peer",
               0, 16},
              {"SHUTDOWN_GRACE", &s::shutdown_grace, "10s", false, false,
               "How long in-flight requests may take to finish after SIGTERM"},
              {"SHUTDOWN_DELAY", &s::shutdown_delay, "0s", false, false,
               "After SIGTERM, how long /ready fails while requests are still served, before "
               "the server stops accepting (a load balancer's check interval times its fall "
               "count)"},
          },
      .check =
          [](settings& s, const runtime::settings&, runtime::problem_list& problems) {
            for (const auto& origin : s.cors_origins) {
              if (origin == "*") {
                problems.push_back("CORS_ORIGINS must list origins explicitly; '*' is not allowed");
              } else if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
                problems.push_back(fmt::format(
                    "CORS_ORIGINS entry {:?} must start with http:// or https://", origin));
              }
            }
          },
  };
  return d;
}

int settings::loop_count() const {
  if (threads > 0) return threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

server_options server_options_from(const settings& s) {
  return {.host = s.host,
          .port = s.port,
          .body_limit = s.body_limit,
          .header_timeout = s.header_timeout,
          .body_timeout = s.body_timeout,
          .idle_timeout = s.idle_timeout,
          .cors_origins = s.cors_origins,
          .hsts = s.hsts,
          .access_log = s.access_log,
          .trusted_proxy_hops = s.trusted_proxy_hops};
}

}  // namespace keel::http
