// The HTTP/1.1 server: one acceptor and its connections per event loop, graceful shutdown.
#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime/async.hpp"

namespace keel::runtime {
class event_loops;
}
namespace keel::metrics {
class registry;
}

namespace keel::http {

class router;

struct server_options {
  std::string host = "0.0.0.0";
  int port = 8080;  // 0 picks a free port; see server::port()
  std::size_t body_limit = 1 << 20;
  std::chrono::milliseconds header_timeout{10000};  // from a request's first byte to its headers
  std::chrono::milliseconds body_timeout{30000};    // to read a body, and to write a response
  std::chrono::milliseconds idle_timeout{60000};    // between requests on a keep-alive connection
  std::vector<std::string> cors_origins;            // exact origins, e.g. "https://app.example.com"
  bool hsts = false;
  bool access_log = true;
  // Proxies in front that each append the address they saw to X-Forwarded-For; the client is
  // the entry this many from the right. 0: the client is the TCP peer (headers are ignored).
  int trusted_proxy_hops = 0;
};

class server {
 public:
  // `routes` and `metrics` must outlive the server; routes must not change once start() ran.
  // Destroy the server only after shutdown() completed or the loops stopped running.
  server(runtime::event_loops& loops, const router& routes, server_options options,
         metrics::registry& metrics);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds one acceptor per loop (SO_REUSEPORT, so the kernel spreads connections) and starts
  // accepting. Throws std::runtime_error naming the address when it cannot listen.
  void start();

  // The bound port (useful with port 0); 0 before start().
  int port() const;

  // Stops accepting, closes idle keep-alive connections, lets in-flight requests finish
  // (each answered with Connection: close) for up to `grace`, then closes what is left.
  async<void> shutdown(std::chrono::milliseconds grace);
  bool shutting_down() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace keel::http
