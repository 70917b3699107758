// Access tokens that verified already, so that a client's token costs one Ed25519 signature
// check per process rather than one per request. Only the signature work is saved: expiry is
// checked on every use, and the session behind the token is still looked up every time.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/auth/jwt.hpp"

namespace keel::auth {

class verified_tokens {
 public:
  // The claims of `token` when it verified before and is not expired at `now`.
  std::optional<access_claims> find(std::string_view token, std::int64_t now);
  void remember(std::string_view token, const access_claims& claims);

 private:
  // Shards by event loop (see shard_of); the lock is for threads that run no loop.
  static constexpr std::size_t shard_count = 16;
  // A full shard is emptied rather than evicted entry by entry: tokens live 15 minutes, and a
  // dropped entry only costs one signature check.
  static constexpr std::size_t shard_capacity = 4096;
  // Transparent, so a lookup by the request's string_view copies nothing.
  struct token_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view token) const {
      return std::hash<std::string_view>{}(token);
    }
  };
  struct shard {
    std::mutex lock;
    std::unordered_map<std::string, access_claims, token_hash, std::equal_to<>> claims;
  };
  shard& shard_of(std::string_view token);
  std::array<shard, shard_count> shards_;
};

}  // namespace keel::auth
