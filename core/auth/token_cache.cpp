// The verified-token cache: a map per event loop keyed by the whole token (its signature
// included, so a token that differs in any byte is a different entry, verified on its own).
#include "core/auth/token_cache.hpp"

#include "core/runtime/event_loops.hpp"

namespace keel::auth {

verified_tokens::shard& verified_tokens::shard_of(std::string_view /*token*/) {
  // One shard per event loop: a loop never waits for another's lock, so a loop thread that is
  // descheduled while holding it cannot stall the others. A token is verified once per loop.
  return shards_[static_cast<std::size_t>(runtime::event_loops::current_index()) % shard_count];
}

std::optional<access_claims> verified_tokens::find(std::string_view token, std::int64_t now) {
  shard& s = shard_of(token);
  std::lock_guard guard(s.lock);
  auto it = s.claims.find(token);
  if (it == s.claims.end()) return std::nullopt;
  if (it->second.exp <= now) {
    s.claims.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void verified_tokens::remember(std::string_view token, const access_claims& claims) {
  shard& s = shard_of(token);
  std::lock_guard guard(s.lock);
  if (s.claims.size() >= shard_capacity) s.claims.clear();
  s.claims.emplace(std::string(token), claims);
}

}  // namespace keel::auth
