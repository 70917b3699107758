// The bounded LRU map behind the in-process cache.
#include "core/cache/lru.hpp"

namespace keel::cache {
namespace {

std::size_t cost(const std::string& key, const std::string& value) {
  return key.size() + value.size();
}

}  // namespace

lru::lru(std::size_t max_entries, std::size_t max_bytes)
    : max_entries_(max_entries), max_bytes_(max_bytes) {}

std::optional<std::string> lru::get(const std::string& key, clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (found == index_.end()) return std::nullopt;
  auto it = found->second;
  if (it->expires <= now) {
    erase(it);
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, it);
  return it->value;
}

void lru::put(const std::string& key, std::string value, clock::time_point expires) {
  std::lock_guard lock(mutex_);
  if (auto found = index_.find(key); found != index_.end()) erase(found->second);
  std::size_t size = cost(key, value);
  if (max_entries_ == 0 || size > max_bytes_) return;
  while (!order_.empty() && (order_.size() >= max_entries_ || bytes_ + size > max_bytes_)) {
    erase(std::prev(order_.end()));
  }
  order_.push_front(entry{key, std::move(value), expires});
  index_.emplace(key, order_.begin());
  bytes_ += size;
}

void lru::remove(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto found = index_.find(key); found != index_.end()) erase(found->second);
}

std::size_t lru::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

std::size_t lru::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

void lru::erase(list::iterator it) {
  bytes_ -= cost(it->key, it->value);
  index_.erase(it->key);
  order_.erase(it);
}

}  // namespace keel::cache
