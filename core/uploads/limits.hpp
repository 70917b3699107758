// The rate limits of the upload endpoints, by name: api/routes/uploads.cpp names them.
#pragma once
#include <vector>

#include "core/ratelimit/limiter.hpp"

namespace keel::uploads {

// Every limit uploads declares; the program adds them to its router's guard.
const std::vector<ratelimit::rule>& rate_limits();

}  // namespace keel::uploads
