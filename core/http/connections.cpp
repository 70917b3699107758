// Connection bookkeeping per loop: registration, deadline sweeping, closing at shutdown.
#include "core/http/detail/connections.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace keel::http::detail {

registration::registration(loop_state& loop, connection& c)
    : loop_(loop), at_(loop.connections.insert(loop.connections.end(), &c)) {
  loop_.shared.open_connections.fetch_add(1, std::memory_order_relaxed);
}

registration::~registration() {
  loop_.connections.erase(at_);
  loop_.shared.open_connections.fetch_sub(1, std::memory_order_relaxed);
}

net::awaitable<void> sweep(loop_state& loop) {
  const auto& o = loop.shared.options;
  auto shortest = std::min({o.header_timeout, o.body_timeout, o.idle_timeout});
  // A deadline is met within a quarter of the shortest timeout (at most 1 s late).
  auto tick = std::clamp<std::chrono::milliseconds>(shortest / 4, std::chrono::milliseconds(10),
                                                    std::chrono::milliseconds(1000));
  while (!loop.stopped) {
    loop.sweep_timer.expires_after(tick);
    co_await loop.sweep_timer.async_wait(net::as_tuple(net::use_awaitable));
    auto now = clock::now();
    for (connection* c : loop.connections) {
      if (c->deadline <= now) {
        c->timed_out = true;
        c->deadline = clock::time_point::max();
        boost::system::error_code ignored;
        c->socket.cancel(ignored);
      }
    }
  }
}

void close_connections(loop_state& loop, bool everyone) {
  for (connection* c : loop.connections) {
    if (everyone || c->idle) {
      boost::system::error_code ignored;
      c->socket.cancel(ignored);
      // A session busy in its handler learns of it when it next touches the socket.
      if (everyone) c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    }
  }
}

}  // namespace keel::http::detail
