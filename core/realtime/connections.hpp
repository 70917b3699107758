// Realtime's HTTP binding: the takeovers that turn an answered request into a live
// connection. The routes (api/routes/realtime.cpp) check who is calling and what they may
// follow first, then hand one of these back; Beast stays inside websocket.cpp and sse.cpp.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/runtime/principal.hpp"

namespace keel::http {
class takeover;
}

namespace keel::realtime {

class hub;

// A WebSocket speaking realtime's JSON messages. `who` was admitted by hub.admit().
std::shared_ptr<http::takeover> websocket_takeover(hub& h, principal who);

// A Server-Sent Events stream of `channels` (checked already), each resuming after its
// `since` when given. `who` was admitted by hub.admit().
std::shared_ptr<http::takeover> event_stream_takeover(
    hub& h, principal who, std::vector<std::string> channels,
    std::vector<std::optional<std::int64_t>> since);

}  // namespace keel::realtime
