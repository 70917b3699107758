// Private to the server: one keep-alive HTTP/1.1 connection, from accept to close.
#pragma once
#include "core/http/detail/state.hpp"

namespace keel::http::detail {

// Reads requests, answers them through the pipeline, and closes on error, timeout,
// Connection: close or shutdown. Stays on `loop` for its whole life.
net::awaitable<void> run_session(tcp::socket socket, loop_state& loop);

}  // namespace keel::http::detail
