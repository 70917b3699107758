// Rate limits of the auth endpoints: per client address, and per account (email or user).
// In-process by default, shared through Redis when REDIS_URL is set (core/ratelimit).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/runtime/async.hpp"

namespace keel::http {
class request;
}
namespace keel::ratelimit {
class limiter;
}

namespace keel::auth {

class limits {
 public:
  // `enabled` false (RATE_LIMITS=false) is for load tests only.
  limits(ratelimit::limiter& limiter, bool enabled) : limiter_(limiter), enabled_(enabled) {}

  // Counts one hit of `action` ("login", "otp_request", ...) for the client's address and,
  // when given, for `account` (a normalized email, or a user id). Throws too_many_requests
  // (429 with Retry-After) when either is over its limit, and puts the tighter limit's
  // RateLimit-* headers on the answer either way.
  async<void> check(http::request& req, std::string_view action,
                    const std::optional<std::string>& account);

 private:
  ratelimit::limiter& limiter_;
  bool enabled_;
};

}  // namespace keel::auth
