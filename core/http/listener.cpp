// Per-loop acceptors: bind with SO_REUSEPORT, accept, and hand each socket to a session.
#include "core/http/detail/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "core/http/detail/session.hpp"
#include "core/runtime/log.hpp"

namespace keel::http::detail {
namespace {

using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

[[noreturn]] void cannot_listen(const tcp::endpoint& endpoint,
                                const boost::system::error_code& ec) {
  throw std::runtime_error("http: cannot listen on " + endpoint.address().to_string() + ":" +
                           std::to_string(endpoint.port()) + ": " + ec.message());
}

}  // namespace

unsigned short probe(net::io_context& context, const tcp::endpoint& endpoint) {
  tcp::acceptor probe(context);
  boost::system::error_code ec;
  probe.open(endpoint.protocol(), ec);
  if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) probe.bind(endpoint, ec);
  if (ec) cannot_listen(endpoint, ec);
  auto port = probe.local_endpoint(ec).port();
  if (ec) cannot_listen(endpoint, ec);
  return port;
}

void listen(loop_state& loop, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  loop.acceptor.open(endpoint.protocol(), ec);
  if (!ec) loop.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) loop.acceptor.set_option(reuse_port(true), ec);
  if (!ec) loop.acceptor.bind(endpoint, ec);
  if (!ec) loop.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) cannot_listen(endpoint, ec);
}

net::awaitable<void> accept_connections(loop_state& loop) {
  for (;;) {
    auto [ec, socket] = co_await loop.acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (!loop.acceptor.is_open() || ec == net::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors or memory: back off instead of spinning on the error.
      log::warn("http: accept failed", {{"error", ec.message()}});
      net::steady_timer pause(loop.ioc, std::chrono::milliseconds(50));
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    net::co_spawn(loop.ioc, run_session(std::move(socket), loop), [](std::exception_ptr e) {
      // Sessions map every error to a response; this is the last guard for the loop itself.
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::error("http: session failed", {{"error", std::string_view(ex.what())}});
      } catch (...) {
        log::error("http: session failed");
      }
    });
  }
}

}  // namespace keel::http::detail
