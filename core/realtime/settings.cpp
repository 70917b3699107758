// The realtime variables.
#include "core/realtime/settings.hpp"

namespace keel::realtime {

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"REALTIME_REPLAY", &s::replay_window, "1h", false, false,
               "How old a missed event may be for a resuming client to get it replayed (else "
               "reset: refetch); also how long realtime.prune keeps events"},
              {"REALTIME_REPLAY_EVENTS", &s::replay_events, "1000", false, false,
               "How many missed events a resuming client may get replayed (else reset)", 1,
               100'000},
              {"REALTIME_MAX_CONNECTIONS_PER_USER", &s::max_connections_per_user, "20", false,
               false, "Live connections (WebSocket and SSE) one user may hold on one instance", 1,
               10'000},
              {"REALTIME_MAX_SUBSCRIPTIONS", &s::max_subscriptions, "50", false, false,
               "Channels one connection may subscribe to", 1, 10'000},
              {"REALTIME_MAX_MESSAGE_BYTES", &s::max_message_bytes, "4096", false, false,
               "The largest message a client may send on a WebSocket (larger closes it, 1009)", 64,
               1 << 20},
              {"REALTIME_SEND_QUEUE_BYTES", &s::send_queue_bytes, "1048576", false, false,
               "Bytes queued for one client that does not read before it is closed (1008)",
               16 * 1024, 1LL << 30},
          },
  };
  return d;
}

}  // namespace keel::realtime
