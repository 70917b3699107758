// Cache-aside: get-or-load of string values (encoded JSON) with a TTL, shared through Redis
// when REDIS_URL is set, in a bounded in-process LRU otherwise. Concurrent misses of one key
// in one process run one load; a store that cannot answer is skipped (the load runs), never
// an error to the caller.
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/runtime/async.hpp"

namespace keel::metrics {
class registry;
class counter;
}  // namespace keel::metrics

namespace keel::redis {
class client;
}  // namespace keel::redis

namespace keel::cache {

struct settings;

// Where cached values live. Each call may throw when the store cannot answer (Redis down);
// the cache then goes to the loader instead.
class store {
 public:
  virtual ~store() = default;
  virtual async<std::optional<std::string>> get(const std::string& key) = 0;
  virtual async<void> put(const std::string& key, const std::string& value,
                          std::chrono::seconds ttl) = 0;
  virtual async<void> remove(const std::string& key) = 0;
};

// The bounded in-process LRU (lru.hpp): correct for one instance.
std::unique_ptr<store> make_memory_store(std::size_t max_entries, std::size_t max_bytes);
// GET / SET EX / DEL through `redis` (which must outlive the store): every instance shares it.
std::unique_ptr<store> make_redis_store(redis::client& redis);
// Redis when `redis` is given, else the in-process LRU bounded by `cfg`.
std::unique_ptr<store> make_store(const settings& cfg, redis::client* redis);

// One named cache (its name labels the metrics and prefixes its keys) over a store.
class cache {
 public:
  using loader = std::function<async<std::string>()>;

  // A `ttl` of zero turns the cache off: every get_or_load loads.
  cache(std::string name, store& values, metrics::registry& metrics, std::chrono::seconds ttl);
  ~cache();
  cache(const cache&) = delete;
  cache& operator=(const cache&) = delete;

  // The cached value of `key`, or what `load` returns, stored for the TTL. A load that throws
  // is not cached and its error reaches every caller waiting on it. `load` must stay alive
  // until this completes: keep it in a named local.
  async<std::string> get_or_load(const std::string& key, const loader& load);

  // Forgets `key` in the store (in Redis: on every instance), and a load of it already under
  // way in this process does not store what it read.
  async<void> invalidate(const std::string& key);

  const std::string& name() const { return name_; }

 private:
  struct flight;
  async<std::string> lead(const std::string& key, const std::shared_ptr<flight>& f,
                          const loader& load);
  async<std::string> join(const std::shared_ptr<flight>& f);
  void degraded(const std::exception& e);
  void recovered();

  std::string name_;
  store& values_;
  std::chrono::seconds ttl_;
  metrics::counter& hits_;
  metrics::counter& misses_;
  metrics::counter& loads_;
  metrics::counter& errors_;
  std::mutex flights_mutex_;
  std::unordered_map<std::string, std::shared_ptr<flight>> flights_;
  std::atomic<bool> outage_{false};
};

}  // namespace keel::cache
