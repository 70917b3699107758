// The realtime WebSocket's client side as a client controls it: the bytes of the connection
// after the handshake, through keel's frame reader (masking, fragments, control frames, limits)
// in chunks of the size the first byte picks, and every text message it yields through the
// message parser. The input is also parsed as one message, so plain JSON seeds go straight in.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/realtime/frames.hpp"
#include "core/realtime/messages.hpp"

namespace {

using namespace keel::realtime;

// REALTIME_MAX_MESSAGE_BYTES's default.
constexpr std::size_t max_message = 4096;

void check(std::string_view text) {
  client_message m = parse_client_message(text);
  switch (m.what) {
    case client_message::kind::invalid:
      if (m.error.empty()) std::abort();
      break;
    case client_message::kind::subscribe:
      if (m.since && *m.since < 0) std::abort();
      [[fallthrough]];
    case client_message::kind::unsubscribe:
      // The channel named is the one that was parsed, and names it canonically.
      if (!parse_channel(m.channel_name)) std::abort();
      if (m.channel_name != (m.target.kind == channel_kind::user ? user_channel(m.target.id)
                                                                 : rule_channel(m.target.id))) {
        std::abort();
      }
      break;
    case client_message::kind::ping:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = data[0] + 1u;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  check(bytes);

  frames::reader reader(max_message);
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    reader.feed(bytes.substr(at, chunk));
    while (auto item = reader.next()) {
      if (item->what == frames::item::kind::text) {
        if (item->payload.size() > max_message) std::abort();
        check(item->payload);
      }
      if (item->what == frames::item::kind::failed) return 0;  // the connection closes here
    }
  }
  return 0;
}
