// The Redis-backed limiter: one atomic script per hit, in-process counting while Redis is down.
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <atomic>

#include "core/ratelimit/limiter.hpp"
#include "core/redis/client.hpp"
#include "core/runtime/hex.hpp"
#include "core/runtime/log.hpp"

namespace keel::ratelimit {
namespace {

// INCR and the expiry in one step, so that a crash between them cannot leave a counter that
// never expires; a counter found without one (PTTL -1) gets it, which also mends old keys.
// KEYS[1]: the counter. ARGV[1]: the window in milliseconds. Returns {hits, milliseconds left}.
constexpr std::string_view script = R"lua(
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {hits, left}
)lua";

// EVALSHA names a script by the SHA-1 of its text (Redis's choice, not a security use).
const std::string& script_sha() {
  static const std::string sha = [] {
    std::array<unsigned char, SHA_DIGEST_LENGTH> hash;
    SHA1(reinterpret_cast<const unsigned char*>(script.data()), script.size(), hash.data());
    return hex::encode({reinterpret_cast<const char*>(hash.data()), hash.size()});
  }();
  return sha;
}

class redis_limiter final : public limiter {
 public:
  explicit redis_limiter(redis::client& redis) : redis_(redis), fallback_(make_memory_limiter()) {}

  async<decision> hit(const rule& r, const std::string& key) override {
    try {
      decision shared = co_await hit_shared(r, key);
      recovered();
      co_return shared;
    } catch (const std::exception& e) {
      degraded(e);
    }
    co_return co_await fallback_->hit(r, key);
  }

  async<void> reset(const rule& r, const std::string& key) override {
    // Hits counted in-process during an outage are forgotten as well.
    co_await fallback_->reset(r, key);
    std::vector<std::string> del{"DEL", redis_key(r, key)};
    try {
      co_await redis_.command(del);
      recovered();
    } catch (const std::exception& e) {
      degraded(e);
    }
  }

 private:
  async<decision> hit_shared(const rule& r, const std::string& key) {
    auto window = std::max(r.window, std::chrono::seconds(1));
    std::vector<std::string> evalsha{
        "EVALSHA", script_sha(), "1", redis_key(r, key),
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(window).count())};
    redis::reply answer;
    bool unknown_script = false;
    try {
      answer = co_await redis_.command(evalsha);
    } catch (const redis::error& e) {
      if (e.code() != "NOSCRIPT") throw;
      unknown_script = true;  // a new or restarted server: EVAL loads it for the next time
    }
    if (unknown_script) {
      std::vector<std::string> eval{"EVAL", std::string(script), "1", evalsha[3], evalsha[4]};
      answer = co_await redis_.command(eval);
    }
    if (answer.type != redis::reply::kind::array || answer.elements.size() != 2 ||
        answer.elements[0].type != redis::reply::kind::integer ||
        answer.elements[1].type != redis::reply::kind::integer) {
      throw std::runtime_error("unexpected answer from the rate-limit script");
    }
    long long hits = answer.elements[0].integer;
    long long left_ms = std::max(1LL, answer.elements[1].integer);
    decision out;
    out.limit = r.limit;
    out.allowed = hits <= r.limit;
    out.remaining = static_cast<int>(std::max(0LL, r.limit - hits));
    out.reset = std::chrono::seconds((left_ms + 999) / 1000);
    co_return out;
  }

  void degraded(const std::exception& e) {
    if (!outage_.exchange(true)) {
      log::warn("Redis cannot count rate limits; counting in-process until it is back",
                {{"error", e.what()}});
    }
  }

  void recovered() {
    if (outage_.load(std::memory_order_relaxed) && outage_.exchange(false)) {
      log::info("Redis counts rate limits again");
    }
  }

  redis::client& redis_;
  std::unique_ptr<limiter> fallback_;
  std::atomic<bool> outage_{false};
};

}  // namespace

std::unique_ptr<limiter> make_redis_limiter(redis::client& redis) {
  return std::make_unique<redis_limiter>(redis);
}

}  // namespace keel::ratelimit
