// The cache's settings (CACHE_*): how long values live and how much the in-process LRU holds.
#pragma once
#include <chrono>
#include <cstddef>

#include "core/runtime/config.hpp"

namespace keel::cache {

struct settings {
  std::chrono::seconds ttl{60};              // 0: no caching, every read loads
  std::size_t max_entries = 10'000;          // in-process LRU only (without REDIS_URL)
  std::size_t max_bytes = 64 * 1024 * 1024;  // in-process LRU only

  static const runtime::declaration<settings>& declared();
};

}  // namespace keel::cache
