// The rate limits of the auth and admin endpoints, by name: routes name them in their
// declaration (api/routes/auth.cpp), keyed per client address or per account (email or user).
// In-process by default, shared through Redis when REDIS_URL is set (core/ratelimit).
#pragma once
#include <vector>

#include "core/ratelimit/limiter.hpp"

namespace keel::auth {

// Every limit auth declares; the program adds them to its router's guard.
const std::vector<ratelimit::rule>& rate_limits();

}  // namespace keel::auth
