// The rate limits of the rules routes, by name: "<action>_ip" per client address and
// "<action>_user" per signed-in user. Shared through Redis when REDIS_URL is set.
#pragma once
#include <vector>

#include "core/ratelimit/limiter.hpp"

namespace keel::rulebook {

// Every limit the rules routes name (api/routes/rules.cpp); the program adds them to its
// router's guard.
const std::vector<ratelimit::rule>& rate_limits();

}  // namespace keel::rulebook
