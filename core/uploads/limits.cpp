// The limits of each upload action ("<action>_ip" per client address, "<action>_user" per
// account). The daily quota (count and bytes) is the service's; these only stop bursts.
#include "core/uploads/limits.hpp"

#include <chrono>

namespace keel::uploads {

using std::chrono::minutes;

const std::vector<ratelimit::rule>& rate_limits() {
  static const std::vector<ratelimit::rule> table{
      {"upload_create_ip", 120, minutes(10)},
      {"upload_create_user", 30, minutes(10)},
      {"upload_complete_user", 60, minutes(10)},
      {"upload_read_ip", 1200, minutes(1)},
  };
  return table;
}

}  // namespace keel::uploads
