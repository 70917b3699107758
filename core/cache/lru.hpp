// The in-process cache store: a least-recently-used map bounded by entries and bytes, with
// an expiry per entry. Thread-safe; every operation is O(1) under one short lock.
#pragma once
#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace keel::cache {

class lru {
 public:
  using clock = std::chrono::steady_clock;

  // At most `max_entries` entries and `max_bytes` of keys and values together.
  lru(std::size_t max_entries, std::size_t max_bytes);

  // The value of `key` unless it is missing or expired at `now` (an expired one is dropped).
  std::optional<std::string> get(const std::string& key, clock::time_point now = clock::now());
  // Stores `value` until `expires`, evicting the least recently used entries past the bounds.
  // A value larger than the byte bound is not stored (and an older value of the key is dropped).
  void put(const std::string& key, std::string value, clock::time_point expires);
  void remove(const std::string& key);

  std::size_t size() const;
  std::size_t bytes() const;

 private:
  struct entry {
    std::string key;
    std::string value;
    clock::time_point expires;
  };
  using list = std::list<entry>;
  void erase(list::iterator it);

  const std::size_t max_entries_;
  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  list order_;  // most recently used first
  std::unordered_map<std::string, list::iterator> index_;
  std::size_t bytes_ = 0;
};

}  // namespace keel::cache
