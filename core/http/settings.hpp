// The HTTP server's settings (HOST, PORT, HTTP_*, CORS_ORIGINS, HSTS, ACCESS_LOG,
// TRUSTED_PROXY_HOPS, SHUTDOWN_GRACE), read by keel-api.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/http/server.hpp"
#include "core/runtime/config.hpp"

namespace keel::http {

struct settings {
  std::string host = "0.0.0.0";
  int port = 8080;
  int threads = 0;  // event loops; 0: one per core (see loop_count)
  std::size_t body_limit = 1 << 20;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  std::vector<std::string> cors_origins;
  bool hsts = false;
  bool access_log = true;
  int trusted_proxy_hops = 0;
  std::chrono::milliseconds shutdown_grace{10000};  // for in-flight requests after SIGTERM
  // After SIGTERM, /ready answers 503 while everything is still served, for this long: a load
  // balancer's health checks take the instance out before it stops accepting connections.
  std::chrono::milliseconds shutdown_delay{0};

  // HTTP_THREADS, or one per core.
  int loop_count() const;
  static const runtime::declaration<settings>& declared();
};

server_options server_options_from(const settings& s);

}  // namespace keel::http
