// The cache: the bounded LRU (entries, bytes, expiry) and get-or-load (single flight, errors,
// invalidation, a store that cannot answer), on the in-process store.
#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>

#include "core/cache/cache.hpp"
#include "core/cache/lru.hpp"
#include "core/metrics/registry.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"

using namespace std::chrono_literals;
using keel::async;
using keel::cache::lru;
using keel::test::run_async;
using keel::test::run_concurrently;

namespace {

// "v<n>", appended (GCC 12 warns -Wrestrict on "literal" + std::string&&).
std::string version_text(int n) {
  std::string text = "v";
  text += std::to_string(n);
  return text;
}

// A store that is always down, as Redis during an outage.
class broken_store final : public keel::cache::store {
 public:
  async<std::optional<std::string>> get(const std::string&) override {
    throw std::runtime_error("connection refused");
    co_return std::nullopt;
  }
  async<void> put(const std::string&, const std::string&, std::chrono::seconds) override {
    throw std::runtime_error("connection refused");
    co_return;
  }
  async<void> remove(const std::string&) override {
    throw std::runtime_error("connection refused");
    co_return;
  }
};

std::string scraped(const keel::metrics::registry& m) {
  return m.render();
}

// A cache named "things" over the in-process store, on `loop_count` loops.
struct memory_cache {
  explicit memory_cache(int loop_count = 1, std::chrono::seconds ttl = 60s)
      : loops(loop_count), cached("things", *store, metrics, ttl) {}
  keel::runtime::event_loops loops;
  keel::metrics::registry metrics;
  std::unique_ptr<keel::cache::store> store = keel::cache::make_memory_store(100, 1 << 20);
  keel::cache::cache cached;

  std::string read(const std::string& key, const keel::cache::cache::loader& load) {
    return run_async(
        loops, [&]() -> async<std::string> { co_return co_await cached.get_or_load(key, load); });
  }
};

}  // namespace

TEST_CASE("the LRU keeps at most max_entries and drops the least recently used first") {
  lru values(3, 1 << 20);
  auto later = lru::clock::now() + 1h;
  values.put("a", "1", later);
  values.put("b", "2", later);
  values.put("c", "3", later);
  CHECK(values.get("a") == "1");  // a is now the most recently used
  values.put("d", "4", later);
  CHECK(values.size() == 3);
  CHECK_FALSE(values.get("b"));
  CHECK(values.get("a") == "1");
  CHECK(values.get("c") == "3");
  CHECK(values.get("d") == "4");
}

TEST_CASE("the LRU keeps at most max_bytes of keys and values") {
  lru values(100, 10);
  auto later = lru::clock::now() + 1h;
  values.put("a", "1234", later);  // 5 bytes
  values.put("b", "1234", later);  // 10
  CHECK(values.bytes() == 10);
  values.put("c", "12", later);  // 13 > 10: a goes
  CHECK_FALSE(values.get("a"));
  CHECK(values.get("b") == "1234");
  CHECK(values.bytes() == 8);
  values.put("huge", "12345678901", later);  // larger than the bound: not stored
  CHECK_FALSE(values.get("huge"));
  CHECK(values.bytes() == 8);
  values.put("b", "1", later);  // replacing counts the new size only
  CHECK(values.bytes() == 5);
}

TEST_CASE("an LRU entry expires at its time and is then dropped") {
  lru values(10, 1000);
  auto now = lru::clock::now();
  values.put("a", "1", now + 10s);
  CHECK(values.get("a", now + 9s) == "1");
  CHECK_FALSE(values.get("a", now + 10s));
  CHECK(values.size() == 0);
  CHECK(values.bytes() == 0);
}

TEST_CASE("get_or_load loads once then answers from the cache until invalidated") {
  memory_cache c;
  int loads = 0;
  keel::cache::cache::loader load = [&]() -> async<std::string> {
    ++loads;
    co_return version_text(loads);
  };
  CHECK(c.read("k", load) == "v1");
  CHECK(c.read("k", load) == "v1");
  CHECK(loads == 1);
  std::string key = "k";
  run_async(c.loops, [&]() -> async<void> { co_await c.cached.invalidate(key); });
  CHECK(c.read("k", load) == "v2");
  auto text = scraped(c.metrics);
  CHECK(text.find("keel_cache_hits_total{cache=\"things\"} 1") != std::string::npos);
  CHECK(text.find("keel_cache_misses_total{cache=\"things\"} 2") != std::string::npos);
  CHECK(text.find("keel_cache_loads_total{cache=\"things\"} 2") != std::string::npos);
}

TEST_CASE("concurrent misses of one key on several loops run one load") {
  memory_cache c(4);
  std::atomic<int> loads{0};
  keel::cache::cache::loader load = [&]() -> async<std::string> {
    ++loads;
    co_await keel::test::sleep_for(100ms);  // every other caller arrives meanwhile
    co_return "value";
  };
  std::string key = "k";
  std::atomic<int> right{0};
  run_concurrently(c.loops, 32, [&](int) -> async<void> {
    if (co_await c.cached.get_or_load(key, load) == "value") ++right;
  });
  CHECK(loads == 1);
  CHECK(right == 32);
}

TEST_CASE("a load that fails reaches every waiter and is not cached") {
  memory_cache c(2);
  std::atomic<int> loads{0};
  keel::cache::cache::loader failing = [&]() -> async<std::string> {
    ++loads;
    co_await keel::test::sleep_for(50ms);
    throw std::runtime_error("the database is away");
  };
  std::string key = "k";
  std::atomic<int> failed{0};
  run_concurrently(c.loops, 8, [&](int) -> async<void> {
    try {
      co_await c.cached.get_or_load(key, failing);
    } catch (const std::runtime_error&) {
      ++failed;
    }
  });
  CHECK(loads == 1);
  CHECK(failed == 8);
  keel::cache::cache::loader working = [&]() -> async<std::string> { co_return "back"; };
  CHECK(c.read(key, working) == "back");
}

TEST_CASE("a store that cannot answer is skipped: every read loads and none fails") {
  keel::runtime::event_loops loops(1);
  keel::metrics::registry metrics;
  broken_store store;
  keel::cache::cache cached("things", store, metrics, 60s);
  int loads = 0;
  keel::cache::cache::loader load = [&]() -> async<std::string> {
    ++loads;
    co_return "fresh";
  };
  std::string key = "k";
  for (int i = 0; i < 3; ++i) {
    CHECK(run_async(loops, [&]() -> async<std::string> {
            co_return co_await cached.get_or_load(key, load);
          }) == "fresh");
  }
  CHECK(loads == 3);
  run_async(loops, [&]() -> async<void> { co_await cached.invalidate(key); });
  // Three failed gets, three failed puts, one failed removal.
  CHECK(scraped(metrics).find("keel_cache_errors_total{cache=\"things\"} 7") != std::string::npos);
}

TEST_CASE("an invalidation during a load keeps what that load read out of the cache") {
  memory_cache c;
  std::string key = "k";
  int loads = 0;
  keel::cache::cache::loader load = [&]() -> async<std::string> {
    ++loads;
    if (loads == 1) co_await c.cached.invalidate(key);  // a write lands while the load reads
    co_return version_text(loads);
  };
  CHECK(c.read(key, load) == "v1");  // the reader that started before the write gets the old value
  CHECK(c.read(key, load) == "v2");  // but the next one loads again
}

TEST_CASE("a TTL of zero turns the cache off") {
  memory_cache c(1, 0s);
  int loads = 0;
  keel::cache::cache::loader load = [&]() -> async<std::string> {
    ++loads;
    co_return "x";
  };
  c.read("k", load);
  c.read("k", load);
  CHECK(loads == 2);
}
