// The cache's two stores: the in-process LRU and Redis.
#include <vector>

#include "core/cache/cache.hpp"
#include "core/cache/lru.hpp"
#include "core/cache/settings.hpp"
#include "core/redis/client.hpp"

namespace keel::cache {
namespace {

class memory_store final : public store {
 public:
  memory_store(std::size_t max_entries, std::size_t max_bytes) : values_(max_entries, max_bytes) {}

  async<std::optional<std::string>> get(const std::string& key) override {
    co_return values_.get(key);
  }
  async<void> put(const std::string& key, const std::string& value,
                  std::chrono::seconds ttl) override {
    values_.put(key, value, lru::clock::now() + ttl);
    co_return;
  }
  async<void> remove(const std::string& key) override {
    values_.remove(key);
    co_return;
  }

 private:
  lru values_;
};

class redis_store final : public store {
 public:
  explicit redis_store(redis::client& redis) : redis_(redis) {}

  async<std::optional<std::string>> get(const std::string& key) override {
    std::vector<std::string> command{"GET", key};
    auto answer = co_await redis_.command(command);
    if (answer.type != redis::reply::kind::string) co_return std::nullopt;
    co_return std::move(answer.text);
  }
  async<void> put(const std::string& key, const std::string& value,
                  std::chrono::seconds ttl) override {
    std::vector<std::string> command{"SET", key, value, "EX", std::to_string(ttl.count())};
    co_await redis_.command(command);
  }
  async<void> remove(const std::string& key) override {
    std::vector<std::string> command{"DEL", key};
    co_await redis_.command(command);
  }

 private:
  redis::client& redis_;
};

}  // namespace

std::unique_ptr<store> make_memory_store(std::size_t max_entries, std::size_t max_bytes) {
  return std::make_unique<memory_store>(max_entries, max_bytes);
}

std::unique_ptr<store> make_redis_store(redis::client& redis) {
  return std::make_unique<redis_store>(redis);
}

std::unique_ptr<store> make_store(const settings& cfg, redis::client* redis) {
  if (redis) return make_redis_store(*redis);
  return make_memory_store(cfg.max_entries, cfg.max_bytes);
}

}  // namespace keel::cache
