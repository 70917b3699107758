// What a WebSocket client may send, read apart from the connection so that every rule is
// unit-tested (tests/unit/realtime_messages_test.cpp) and fuzzed (tests/fuzz/):
//   {"type":"ping"}  {"type":"subscribe","channel":"rule:<id>","since":41}
//   {"type":"unsubscribe","channel":"rule:<id>"}
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/realtime/channels.hpp"

namespace keel::realtime {

struct client_message {
  enum class kind { ping, subscribe, unsubscribe, invalid };
  kind what = kind::invalid;
  // invalid: the code the client is refused with (invalid_message, unknown_type,
  // invalid_channel, invalid_since).
  std::string_view error;
  std::string channel_name;  // subscribe and unsubscribe; also the refusal of a bad since
  channel target{};
  std::optional<std::int64_t> since;  // subscribe: resume after this event id
};

client_message parse_client_message(std::string_view text);

}  // namespace keel::realtime
