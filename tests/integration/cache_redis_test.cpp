// The cache through Redis: two instances share values and invalidations, values expire with
// their TTL, and a Redis that is down is skipped (the load runs) until it is back.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/cache/cache.hpp"
#include "core/metrics/registry.hpp"
#include "core/redis/client.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/redis_server.hpp"

using namespace std::chrono_literals;
using keel::async;
using keel::test::run_async;

namespace {

// "v<n>", appended (GCC 12 warns -Wrestrict on "literal" + std::string&&).
std::string version_text(int n) {
  std::string text = "v";
  text += std::to_string(n);
  return text;
}

// A cache name no other test (or earlier run) uses on the shared server.
std::string unique_name() {
  auto prefix = keel::test::redis_prefix();
  return "test_" + prefix.substr(prefix.find(':') + 1, 12);
}

// One keel-api instance's part: its own Redis client, store, metrics and cache.
struct instance {
  instance(keel::runtime::event_loops& loops, const std::string& url, const std::string& name,
           std::chrono::seconds ttl)
      : client(loops, keel::test::redis_options(url)),
        store(keel::cache::make_redis_store(client)),
        cached(name, *store, metrics, ttl) {}
  keel::redis::client client;
  std::unique_ptr<keel::cache::store> store;
  keel::metrics::registry metrics;
  keel::cache::cache cached;
};

std::string read(keel::runtime::event_loops& loops, keel::cache::cache& c, const std::string& key,
                 const keel::cache::cache::loader& load) {
  return run_async(loops,
                   [&]() -> async<std::string> { co_return co_await c.get_or_load(key, load); });
}

}  // namespace

TEST_CASE("two caches on one Redis share values and an invalidation reaches both",
          "[cache][redis]") {
  keel::runtime::event_loops loops(2);
  auto name = unique_name();
  instance a(loops, keel::test::redis_url(), name, 60s);
  instance b(loops, keel::test::redis_url(), name, 60s);
  std::atomic<int> loads{0};
  std::string source = "first";
  keel::cache::cache::loader load = [&]() -> async<std::string> {
    ++loads;
    co_return source;
  };
  std::string key = "k";
  CHECK(read(loops, a.cached, key, load) == "first");
  CHECK(read(loops, b.cached, key, load) == "first");  // b reads what a stored
  CHECK(loads == 1);
  source = "second";
  run_async(loops, [&]() -> async<void> { co_await a.cached.invalidate(key); });
  CHECK(read(loops, b.cached, key, load) == "second");
  CHECK(read(loops, a.cached, key, load) == "second");
  CHECK(loads == 2);
  CHECK(b.metrics.render().find("keel_cache_hits_total{cache=\"" + name + "\"} 1") !=
        std::string::npos);
  run_async(loops, [&]() -> async<void> { co_await a.cached.invalidate(key); });
}

TEST_CASE("a value cached in Redis expires with its TTL", "[cache][redis]") {
  keel::runtime::event_loops loops(1);
  instance a(loops, keel::test::redis_url(), unique_name(), 1s);
  int loads = 0;
  keel::cache::cache::loader load = [&]() -> async<std::string> {
    ++loads;
    co_return version_text(loads);
  };
  std::string key = "k";
  CHECK(read(loops, a.cached, key, load) == "v1");
  CHECK(read(loops, a.cached, key, load) == "v1");
  std::this_thread::sleep_for(1500ms);
  CHECK(read(loops, a.cached, key, load) == "v2");
}

TEST_CASE("a cache whose Redis is down loads every read, then uses Redis again", "[cache][redis]") {
  keel::test::redis_server server;
  keel::runtime::event_loops loops(1);
  instance a(loops, server.url(), unique_name(), 60s);
  int loads = 0;
  keel::cache::cache::loader load = [&]() -> async<std::string> {
    ++loads;
    co_return "v";
  };
  std::string key = "k";
  CHECK(read(loops, a.cached, key, load) == "v");
  server.stop();
  CHECK(read(loops, a.cached, key, load) == "v");
  CHECK(read(loops, a.cached, key, load) == "v");
  CHECK(loads == 3);
  server.start();  // empty again
  bool shared_again = false;
  for (int i = 0; i < 50 && !shared_again; ++i) {
    std::this_thread::sleep_for(100ms);
    int before = loads;
    read(loops, a.cached, key, load);
    read(loops, a.cached, key, load);
    shared_again = loads == before + 1;  // stored by the first, found by the second
  }
  CHECK(shared_again);
}
