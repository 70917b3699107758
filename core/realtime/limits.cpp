// The realtime limits: generous for reconnecting clients, tight enough to stop a loop of them.
#include "core/realtime/limits.hpp"

#include <chrono>

namespace keel::realtime {

using std::chrono::minutes;

const std::vector<ratelimit::rule>& rate_limits() {
  static const std::vector<ratelimit::rule> table{
      // A ticket opens one connection; a client reconnecting every few seconds stays well under.
      {"realtime_ticket_user", 60, minutes(1)},
      {"realtime_connect_ip", 300, minutes(1)},
  };
  return table;
}

}  // namespace keel::realtime
