// Choosing the limiter from the configuration, its response headers and its Redis keys.
#include "core/ratelimit/limiter.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

#include "core/redis/client.hpp"
#include "core/redis/settings.hpp"
#include "core/runtime/hex.hpp"

namespace keel::ratelimit {
namespace {

// The Redis-backed limiter with the client it was given to own.
class owning_limiter final : public limiter {
 public:
  explicit owning_limiter(std::unique_ptr<redis::client> redis)
      : redis_(std::move(redis)), inner_(make_redis_limiter(*redis_)) {}
  async<decision> hit(const rule& r, const std::string& key) override {
    return inner_->hit(r, key);
  }
  async<void> reset(const rule& r, const std::string& key) override {
    return inner_->reset(r, key);
  }

 private:
  std::unique_ptr<redis::client> redis_;
  std::unique_ptr<limiter> inner_;
};

}  // namespace

std::unique_ptr<limiter> make_limiter(const redis::settings& cfg, runtime::event_loops& loops) {
  if (!cfg.configured()) return make_memory_limiter();
  return std::make_unique<owning_limiter>(
      std::make_unique<redis::client>(loops, redis::options_from(cfg)));
}

std::vector<std::pair<std::string, std::string>> headers(const decision& d) {
  std::vector<std::pair<std::string, std::string>> out{
      {"RateLimit-Limit", std::to_string(d.limit)},
      {"RateLimit-Remaining", std::to_string(d.remaining)},
      {"RateLimit-Reset", std::to_string(d.reset.count())},
  };
  if (!d.allowed) out.emplace_back("Retry-After", std::to_string(d.reset.count()));
  return out;
}

std::string redis_key(const rule& r, std::string_view key) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  std::array<unsigned char, crypto_hash_sha256_BYTES> hash;
  crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return "keel:rl:" + r.name + ":" +
         hex::encode({reinterpret_cast<const char*>(hash.data()), hash.size()});
}

}  // namespace keel::ratelimit
