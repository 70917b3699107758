// A realtime event as the events table keeps it and clients receive it.
#pragma once
#include <cstdint>
#include <string>

#include "core/runtime/time.hpp"

namespace keel::realtime {

struct event {
  std::int64_t id = 0;  // grows; within a channel also in commit order
  std::string channel;  // "user:<id>", "rule:<id>"
  std::string type;     // "rule.updated", "draft.saved", ...
  std::string data;     // a JSON object, as text
  timestamp created_at;
};

// An event encoded once for every connection that gets it: the WebSocket text frame and the
// Server-Sent Events block (without its id line, which is per stream).
struct encoded_event {
  event source;  // its data emptied: the encodings below hold it
  // The whole WebSocket frame of {"type":"event","id":..,"channel":..,"event":..,"data":..}.
  std::string frame;
  std::string sse_block;  // "event: <type>\ndata: <data>\n\n"
};

encoded_event encode(event e);

}  // namespace keel::realtime
