// Get-or-load with one load per key at a time, and the metrics of every cache.
#include "core/cache/cache.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <vector>

#include "core/cache/settings.hpp"
#include "core/metrics/registry.hpp"
#include "core/runtime/log.hpp"

namespace keel::cache {

// One load of one key under way, and who waits for it (on any loop).
struct cache::flight {
  std::mutex mutex;
  bool done = false;
  bool stale = false;  // invalidated while loading: what the load read must not stay stored
  std::optional<std::string> value;
  std::exception_ptr error;
  std::vector<std::function<void()>> wake;
};

cache::cache(std::string name, store& values, metrics::registry& metrics, std::chrono::seconds ttl)
    : name_(std::move(name)),
      values_(values),
      ttl_(ttl),
      hits_(metrics
                .add_counter("keel_cache_hits_total", "Cache reads answered from the cache",
                             {"cache"})
                .with({name_})),
      misses_(metrics
                  .add_counter("keel_cache_misses_total",
                               "Cache reads that found nothing (or a store that did not answer)",
                               {"cache"})
                  .with({name_})),
      loads_(metrics
                 .add_counter("keel_cache_loads_total",
                              "Loads from the source behind a cache (one per key at a time)",
                              {"cache"})
                 .with({name_})),
      errors_(metrics
                  .add_counter("keel_cache_errors_total",
                               "Cache store operations that failed (the load ran instead)",
                               {"cache"})
                  .with({name_})) {}

cache::~cache() = default;

async<std::string> cache::get_or_load(const std::string& key, const loader& load) {
  if (ttl_.count() <= 0) {
    loads_.inc();
    co_return co_await load();
  }
  std::string full = "keel:cache:" + name_ + ":" + key;
  std::optional<std::string> found;
  try {
    found = co_await values_.get(full);
    recovered();
  } catch (const std::exception& e) {
    errors_.inc();
    degraded(e);
  }
  if (found) {
    hits_.inc();
    co_return std::move(*found);
  }
  misses_.inc();
  std::shared_ptr<flight> f;
  bool leader = false;
  {
    std::lock_guard lock(flights_mutex_);
    auto& slot = flights_[full];
    if (!slot) {
      slot = std::make_shared<flight>();
      leader = true;
    }
    f = slot;
  }
  if (leader) co_return co_await lead(full, f, load);
  co_return co_await join(f);
}

async<std::string> cache::lead(const std::string& key, const std::shared_ptr<flight>& f,
                               const loader& load) {
  std::optional<std::string> value;
  std::exception_ptr error;
  try {
    loads_.inc();
    value = co_await load();
  } catch (...) {
    error = std::current_exception();
  }
  if (value) {
    try {
      co_await values_.put(key, *value, ttl_);
      bool stale = false;
      {
        std::lock_guard lock(f->mutex);
        stale = f->stale;
      }
      // invalidate() marks the flight before it removes the key, so one of the two removals
      // comes after this put whatever the interleaving.
      if (stale) co_await values_.remove(key);
    } catch (const std::exception& e) {
      errors_.inc();
      degraded(e);
    }
  }
  {
    std::lock_guard lock(flights_mutex_);
    if (auto it = flights_.find(key); it != flights_.end() && it->second == f) flights_.erase(it);
  }
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(f->mutex);
    f->done = true;
    f->value = value;
    f->error = error;
    wake.swap(f->wake);
  }
  for (auto& w : wake) w();
  if (error) std::rethrow_exception(error);
  co_return std::move(*value);
}

async<std::string> cache::join(const std::shared_ptr<flight>& f) {
  // A timer on this coroutine's own loop that the leader expires (on that loop) when its load
  // ends: the wait blocks no thread.
  auto executor = co_await boost::asio::this_coro::executor;
  auto timer = std::make_shared<boost::asio::steady_timer>(
      executor, boost::asio::steady_timer::time_point::max());
  bool ready = false;
  {
    std::lock_guard lock(f->mutex);
    ready = f->done;
    if (!ready) {
      // Expiring the timer (rather than cancelling its wait) also ends a wait that starts
      // after the wake-up ran.
      f->wake.push_back([timer] {
        boost::asio::post(timer->get_executor(), [timer] {
          timer->expires_at(boost::asio::steady_timer::time_point::min());
        });
      });
    }
  }
  if (!ready) {
    boost::system::error_code ec;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  std::lock_guard lock(f->mutex);
  if (f->error) std::rethrow_exception(f->error);
  co_return *f->value;
}

async<void> cache::invalidate(const std::string& key) {
  std::string full = "keel:cache:" + name_ + ":" + key;
  {
    std::lock_guard lock(flights_mutex_);
    if (auto it = flights_.find(full); it != flights_.end()) {
      {
        std::lock_guard flight_lock(it->second->mutex);
        it->second->stale = true;
      }
      flights_.erase(it);  // a read after this write starts a load of its own
    }
  }
  try {
    co_await values_.remove(full);
    recovered();
  } catch (const std::exception& e) {
    // The stale value expires with its TTL; the write itself has happened.
    errors_.inc();
    degraded(e);
  }
}

void cache::degraded(const std::exception& e) {
  if (!outage_.exchange(true)) {
    log::warn("the cache store cannot answer; loading from the source until it is back",
              {{"cache", name_}, {"error", e.what()}});
  }
}

void cache::recovered() {
  if (outage_.load(std::memory_order_relaxed) && outage_.exchange(false)) {
    log::info("the cache store answers again", {{"cache", name_}});
  }
}

}  // namespace keel::cache
