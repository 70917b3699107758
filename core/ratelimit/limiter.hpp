// Rate limits: at most N hits per window for one key (an IP, an email), in-process or in Redis.
#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/runtime/async.hpp"

namespace keel::runtime {
class event_loops;
}  // namespace keel::runtime

namespace keel::redis {
class client;
struct settings;
}  // namespace keel::redis

namespace keel::ratelimit {

// A limit: at most `limit` hits per `window` for one key, e.g. {"login_ip", 20, 5min}.
struct rule {
  std::string name;
  int limit = 0;
  std::chrono::seconds window{};
};

struct decision {
  bool allowed = true;
  int limit = 0;
  int remaining = 0;             // hits left in the window after this one
  std::chrono::seconds reset{};  // until the window ends (Retry-After when refused)
};

// Both implementations count in fixed windows that start at a key's first hit: a key's
// window ends `window` after it opened, and the count starts again from zero. Fixed rather
// than sliding (two windows, weighted) because it is exact and identical in both back ends
// (one INCR with an expiry in Redis), and Retry-After is then exactly when the key may try
// again. The price is a burst of up to 2 x limit across a window's end, acceptable for abuse
// limits, which are set with that margin.
class limiter {
 public:
  virtual ~limiter() = default;
  // Counts one hit for `key` (e.g. an IP or an email) under `r`; thread-safe, never blocks a
  // loop. Refused hits count too (they do not extend the window).
  virtual async<decision> hit(const rule& r, const std::string& key) = 0;
  // Forgets the hits of `key` under `r` (e.g. after a successful login).
  virtual async<void> reset(const rule& r, const std::string& key) = 0;
};

// In-process without REDIS_URL, Redis-backed otherwise (on a client of its own).
std::unique_ptr<limiter> make_limiter(const redis::settings& cfg, runtime::event_loops& loops);

// Counts in this process only: correct for one instance. At most `max_keys` keys are kept;
// past that, the keys whose windows end soonest are forgotten first.
std::unique_ptr<limiter> make_memory_limiter(std::size_t max_keys = 100'000);

// Counts in Redis through `redis` (which must outlive the limiter), shared by every instance.
// When Redis cannot answer, a hit is counted in-process instead (the request is neither
// failed nor held up) and a warning is logged once per outage.
std::unique_ptr<limiter> make_redis_limiter(redis::client& redis);

// Response headers for a decision: RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset
// (IETF httpapi ratelimit-headers draft, seconds), plus Retry-After when refused.
std::vector<std::pair<std::string, std::string>> headers(const decision& d);

// The Redis key of `key` under `r`: keel:rl:<rule>:<hex SHA-256 of key>. Hashed so that its
// length is bounded and no email or IP address is stored in clear.
std::string redis_key(const rule& r, std::string_view key);

}  // namespace keel::ratelimit
