// RATE_LIMITS.
#include "core/ratelimit/settings.hpp"

namespace keel::ratelimit {

const runtime::declaration<settings>& settings::declared() {
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"RATE_LIMITS", &settings::enabled, "true", false, false,
               "false turns the auth rate limits off (load tests only)"},
          },
      .check = {},
  };
  return d;
}

}  // namespace keel::ratelimit
