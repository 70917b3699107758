// The rules limits: writes that mail someone (publish, invite, resend) are held tightest.
#include "core/rules/limits.hpp"

#include <chrono>

namespace keel::rulebook {

using std::chrono::hours;
using std::chrono::minutes;

const std::vector<ratelimit::rule>& rate_limits() {
  static const std::vector<ratelimit::rule> table{
      // Each publish may mail 30 people: enough for real use, not for a spam run.
      {"rule_publish_ip", 60, hours(1)},
      {"rule_publish_user", 20, hours(1)},
      {"stakeholder_add_ip", 120, hours(1)},
      {"stakeholder_add_user", 60, hours(1)},
      // Per stakeholder it is once a minute besides (the service's check).
      {"stakeholder_resend_ip", 60, hours(1)},
      {"stakeholder_resend_user", 30, hours(1)},
      // Tokens are 32 random bytes; this only keeps guessing noisy and slow.
      {"invite_accept_ip", 30, minutes(15)},
      {"invite_accept_user", 20, minutes(15)},
  };
  return table;
}

}  // namespace keel::rulebook
