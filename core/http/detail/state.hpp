// Private to the server: what the whole server shares and what each event loop owns.
#pragma once
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <list>

#include "core/http/router.hpp"
#include "core/http/server.hpp"
#include "core/metrics/http_metrics.hpp"

namespace keel::http::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;

// Read by every loop; written only before start() or through atomics.
struct shared_state {
  shared_state(const router& r, server_options o, metrics::registry& registry)
      : routes(r), options(std::move(o)), metrics(registry) {}

  const router& routes;
  const server_options options;
  metrics::http_metrics metrics;
  std::atomic<bool> shutting_down{false};
  std::atomic<int> open_connections{0};
};

// One client connection. Timeouts are deadlines checked by the loop's sweeper, so arming
// one costs a clock read instead of a timer operation per request.
struct connection {
  explicit connection(tcp::socket s) : socket(std::move(s)) {}

  tcp::socket socket;
  clock::time_point deadline = clock::time_point::max();
  bool idle = false;       // waiting for the next request: shutdown may close it at once
  bool timed_out = false;  // the sweeper cancelled the pending operation
};

// Everything here is touched only from its own loop's thread, so none of it is locked.
struct loop_state {
  loop_state(net::io_context& context, shared_state& s)
      : ioc(context), shared(s), acceptor(context), sweep_timer(context), recorder(s.metrics) {}

  net::io_context& ioc;
  shared_state& shared;
  tcp::acceptor acceptor;
  net::steady_timer sweep_timer;
  metrics::http_metrics::recorder recorder;
  std::list<connection*> connections;
  bool stopped = false;  // the sweeper ends once the server is down
};

}  // namespace keel::http::detail
