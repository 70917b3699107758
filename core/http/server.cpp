// The server: one listener and sweeper per event loop, and the graceful shutdown sequence.
#include "core/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/http/detail/connections.hpp"
#include "core/http/detail/listener.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::http {

using namespace detail;

struct server::impl {
  impl(runtime::event_loops& l, const router& r, server_options o, metrics::registry& m)
      : loops(l), shared(r, std::move(o), m) {}

  runtime::event_loops& loops;
  shared_state shared;
  std::vector<std::unique_ptr<loop_state>> per_loop;
  int port = 0;

  // Runs f(loop_state&) on every loop's own thread.
  template <class F>
  void on_each_loop(F f) {
    for (auto& state : per_loop) {
      net::post(state->ioc, [s = state.get(), f] { f(*s); });
    }
  }
};

server::server(runtime::event_loops& loops, const router& routes, server_options options,
               metrics::registry& metrics)
    : impl_(std::make_unique<impl>(loops, routes, std::move(options), metrics)) {}

server::~server() = default;

void server::start() {
  if (!impl_->per_loop.empty()) throw std::logic_error("http: server started twice");
  const auto& o = impl_->shared.options;
  boost::system::error_code ec;
  auto address = net::ip::make_address(o.host, ec);
  if (ec) throw std::runtime_error("http: invalid listen address " + o.host);
  if (o.port < 0 || o.port > 65535) {
    throw std::runtime_error("http: invalid port " + std::to_string(o.port));
  }
  tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
  endpoint.port(probe(impl_->loops.loop(0), endpoint));
  for (int i = 0; i < impl_->loops.size(); ++i) {
    auto state = std::make_unique<loop_state>(impl_->loops.loop(i), impl_->shared);
    listen(*state, endpoint);
    impl_->per_loop.push_back(std::move(state));
  }
  impl_->port = endpoint.port();
  for (auto& state : impl_->per_loop) {
    net::co_spawn(state->ioc, accept_connections(*state), net::detached);
    net::co_spawn(state->ioc, sweep(*state), net::detached);
  }
  log::info("http: listening",
            {{"address", o.host}, {"port", impl_->port}, {"loops", impl_->loops.size()}});
}

int server::port() const {
  return impl_->port;
}

bool server::shutting_down() const {
  return impl_->shared.shutting_down.load(std::memory_order_relaxed);
}

async<void> server::shutdown(std::chrono::milliseconds grace) {
  auto& shared = impl_->shared;
  if (shared.shutting_down.exchange(true)) co_return;
  auto deadline = clock::now() + grace;
  // Stop accepting and drop idle keep-alive connections; busy ones finish their request and
  // close, because answer() sees shutting_down and sends Connection: close.
  impl_->on_each_loop([](loop_state& loop) {
    boost::system::error_code ignored;
    loop.acceptor.close(ignored);
    close_connections(loop, false);
  });
  net::steady_timer wait(co_await net::this_coro::executor);
  auto poll = [&]() -> async<void> {
    wait.expires_after(std::chrono::milliseconds(10));
    co_await wait.async_wait(net::as_tuple(net::use_awaitable));
  };
  while (shared.open_connections.load() > 0 && clock::now() < deadline) {
    // A connection that became idle after the first pass (its response was written just
    // before the flag was seen) is closed on the next one.
    impl_->on_each_loop([](loop_state& loop) { close_connections(loop, false); });
    co_await poll();
  }
  int left = shared.open_connections.load();
  if (left > 0) {
    log::warn("http: grace period over, closing connections", {{"connections", left}});
    impl_->on_each_loop([](loop_state& loop) { close_connections(loop, true); });
    for (int i = 0; i < 100 && shared.open_connections.load() > 0; ++i) co_await poll();
  }
  impl_->on_each_loop([](loop_state& loop) {
    loop.stopped = true;
    loop.sweep_timer.cancel();
  });
  log::info("http: stopped");
}

}  // namespace keel::http
