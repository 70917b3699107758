// The rate limit of the web vitals beacon, by name: api/routes/web_vitals.cpp names it.
#pragma once
#include <vector>

#include "core/ratelimit/limiter.hpp"

namespace keel::web_vitals {

// Every limit web vitals declares; the program adds them to its router's guard.
const std::vector<ratelimit::rule>& rate_limits();

}  // namespace keel::web_vitals
