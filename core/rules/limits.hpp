// The rate limits of the rules routes, by name: "<action>_ip" per client address and
// "<action>_user" per signed-in user. Shared through Redis when REDIS_URL is set.
#pragma once
#include <string_view>

#include "core/ratelimit/limiter.hpp"

namespace keel::rulebook {

// Every limit the rules routes count against; a name no entry has is a program error.
const std::vector<ratelimit::rule>& rate_limits();
const ratelimit::rule& rate_limit(std::string_view name);

}  // namespace keel::rulebook
