// Private to the server: the acceptor of one event loop.
#pragma once
#include "core/http/detail/state.hpp"

namespace keel::http::detail {

// Opens loop.acceptor on `endpoint` with SO_REUSEPORT, so every loop can listen on the same
// port and the kernel spreads connections. Throws std::runtime_error when it cannot.
void listen(loop_state& loop, const tcp::endpoint& endpoint);

// Fails with a clear message when something else already listens on `endpoint`: with
// SO_REUSEPORT alone a second keel process would silently share the port.
// Returns the port actually bound (the one picked for port 0).
unsigned short probe(net::io_context& context, const tcp::endpoint& endpoint);

// Accepts connections until the acceptor closes, each one served on this loop.
net::awaitable<void> accept_connections(loop_state& loop);

}  // namespace keel::http::detail
