// The rate limits of the realtime routes: tickets per user, connection attempts per address.
#pragma once
#include <vector>

#include "core/ratelimit/limiter.hpp"

namespace keel::realtime {

// Every limit the realtime routes name (api/routes/realtime.cpp).
const std::vector<ratelimit::rule>& rate_limits();

}  // namespace keel::realtime
