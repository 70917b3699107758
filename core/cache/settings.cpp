// CACHE_TTL, CACHE_MAX_ENTRIES, CACHE_MAX_BYTES.
#include "core/cache/settings.hpp"

namespace keel::cache {

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"CACHE_TTL", &s::ttl, "60s", false, false,
               "How long a cached read (templates, methods, public rules) lives; 0s: no cache"},
              {"CACHE_MAX_ENTRIES", &s::max_entries, "10000", false, false,
               "Entries the in-process cache holds (without REDIS_URL)", 1, 10'000'000},
              {"CACHE_MAX_BYTES", &s::max_bytes, "67108864", false, false,
               "Bytes of keys and values the in-process cache holds (without REDIS_URL)", 1024,
               1LL << 36},
          },
      .check = {},
  };
  return d;
}

}  // namespace keel::cache
