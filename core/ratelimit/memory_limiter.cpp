// The in-process limiter: fixed windows in a sharded map, swept and capped to bound memory.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "core/ratelimit/limiter.hpp"

namespace keel::ratelimit {
namespace {

using steady = std::chrono::steady_clock;

// The same IP may arrive on any event-loop thread: keys are spread over shards, each behind
// a mutex held only for a lookup and an increment (no I/O, no allocation beyond the node).
constexpr std::size_t shard_count = 16;
constexpr std::chrono::seconds sweep_interval{10};

// Keys are stored as a digest of (rule, key): fixed size whatever a client sends, and an
// attacker cannot pick keys that collide in the map's buckets.
using digest = std::array<unsigned char, 16>;

digest digest_of(const rule& r, std::string_view key) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(r.name.data()),
                            r.name.size());
  const unsigned char separator = 0;
  crypto_hash_sha256_update(&state, &separator, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  std::array<unsigned char, crypto_hash_sha256_BYTES> full;
  crypto_hash_sha256_final(&state, full.data());
  digest d;
  std::copy_n(full.begin(), d.size(), d.begin());
  return d;
}

struct digest_hash {
  std::size_t operator()(const digest& d) const {
    std::size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

struct window {
  int hits = 0;
  steady::time_point ends;
};

std::chrono::seconds seconds_until(steady::time_point end, steady::time_point now) {
  auto left = std::chrono::ceil<std::chrono::seconds>(end - now);
  return std::max(left, std::chrono::seconds(1));
}

class memory_limiter final : public limiter {
 public:
  explicit memory_limiter(std::size_t max_keys)
      : max_per_shard_(std::max<std::size_t>(1, max_keys / shard_count)) {}

  async<decision> hit(const rule& r, const std::string& key) override { co_return count(r, key); }

  async<void> reset(const rule& r, const std::string& key) override {
    auto d = digest_of(r, key);
    shard& s = shard_of(d);
    std::lock_guard lock(s.mutex);
    s.windows.erase(d);
    co_return;
  }

 private:
  struct shard {
    std::mutex mutex;
    std::unordered_map<digest, window, digest_hash> windows;
    steady::time_point next_sweep{};
  };

  shard& shard_of(const digest& d) { return shards_[d.back() % shard_count]; }

  decision count(const rule& r, std::string_view key) {
    auto d = digest_of(r, key);
    auto length = std::max(r.window, std::chrono::seconds(1));
    auto now = steady::now();
    int hits = 0;
    steady::time_point ends;
    {
      shard& s = shard_of(d);
      std::lock_guard lock(s.mutex);
      if (now >= s.next_sweep) sweep(s, now);
      auto it = s.windows.find(d);
      if (it == s.windows.end()) {
        if (s.windows.size() >= max_per_shard_) make_room(s, now);
        it = s.windows.emplace(d, window{0, now + length}).first;
      } else if (it->second.ends <= now) {
        it->second = window{0, now + length};
      }
      if (it->second.hits < INT_MAX) ++it->second.hits;
      hits = it->second.hits;
      ends = it->second.ends;
    }
    decision out;
    out.limit = r.limit;
    out.allowed = hits <= r.limit;
    out.remaining = std::max(0, r.limit - hits);
    out.reset = seconds_until(ends, now);
    return out;
  }

  static void sweep(shard& s, steady::time_point now) {
    std::erase_if(s.windows, [now](const auto& entry) { return entry.second.ends <= now; });
    s.next_sweep = now + sweep_interval;
  }

  // Full of live windows (many keys at once, as in an attack spread over many addresses):
  // forget the eighth that ends soonest, the ones with the least left to protect.
  void make_room(shard& s, steady::time_point now) {
    sweep(s, now);
    if (s.windows.size() < max_per_shard_) return;
    std::vector<std::pair<steady::time_point, digest>> by_end;
    by_end.reserve(s.windows.size());
    for (const auto& [d, w] : s.windows) by_end.emplace_back(w.ends, d);
    std::size_t drop = std::max<std::size_t>(1, by_end.size() / 8);
    std::nth_element(by_end.begin(), by_end.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                     by_end.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < drop; ++i) s.windows.erase(by_end[i].second);
  }

  const std::size_t max_per_shard_;
  std::array<shard, shard_count> shards_;
};

}  // namespace

std::unique_ptr<limiter> make_memory_limiter(std::size_t max_keys) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  return std::make_unique<memory_limiter>(max_keys);
}

}  // namespace keel::ratelimit
