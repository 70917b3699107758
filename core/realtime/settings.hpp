// Realtime's limits and its replay window (REALTIME_*).
#pragma once
#include <chrono>
#include <cstddef>

#include "core/runtime/config.hpp"

namespace keel::realtime {

struct settings {
  // A client resuming after a gap gets what it missed when the gap is this recent and this
  // short; otherwise it is told to refetch ("reset").
  std::chrono::seconds replay_window{3600};
  int replay_events = 1000;
  int max_connections_per_user = 20;       // on one instance
  int max_subscriptions = 50;              // per connection
  std::size_t max_message_bytes = 4096;    // what a client may send in one message
  std::size_t send_queue_bytes = 1 << 20;  // queued for one slow client before it is closed

  static const runtime::declaration<settings>& declared();
};

}  // namespace keel::realtime
