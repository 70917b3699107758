// The Redis-backed rate limiter: counts shared between instances, hashed keys, expiry, reset,
// the script reloaded after a flush, and in-process counting while Redis is down.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/ratelimit/limiter.hpp"
#include "core/redis/client.hpp"
#include "core/redis/settings.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/redis_server.hpp"

using namespace std::chrono_literals;
namespace rl = keel::ratelimit;
namespace redis = keel::redis;
using keel::async;
using keel::test::run_async;

namespace {

rl::decision hit(keel::runtime::event_loops& loops, rl::limiter& limiter, const rl::rule& r,
                 const std::string& key) {
  return run_async(loops, [&]() -> async<rl::decision> { co_return co_await limiter.hit(r, key); });
}

// A rule name no other test (or earlier run) uses on the shared server.
std::string unique_rule(const std::string& name) {
  auto prefix = keel::test::redis_prefix();
  return name + "_" + prefix.substr(prefix.find(':') + 1, 12);
}

// Two limiters, each on its own client, as two keel-api instances would be.
struct two_instances {
  explicit two_instances(const std::string& url)
      : first_client(loops, keel::test::redis_options(url)),
        second_client(loops, keel::test::redis_options(url)),
        first(rl::make_redis_limiter(first_client)),
        second(rl::make_redis_limiter(second_client)) {}
  keel::runtime::event_loops loops{2};
  redis::client first_client;
  redis::client second_client;
  std::unique_ptr<rl::limiter> first;
  std::unique_ptr<rl::limiter> second;
};

}  // namespace

TEST_CASE("two limiters on one Redis share their counts, as two instances would",
          "[ratelimit][redis]") {
  two_instances app(keel::test::redis_url());
  rl::rule r{unique_rule("login_ip"), 3, 60s};
  std::string ip = "203.0.113.10";
  CHECK(hit(app.loops, *app.first, r, ip).remaining == 2);
  CHECK(hit(app.loops, *app.second, r, ip).remaining == 1);
  auto last = hit(app.loops, *app.first, r, ip);
  CHECK(last.allowed);
  CHECK(last.remaining == 0);
  auto refused = hit(app.loops, *app.second, r, ip);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.limit == 3);
  CHECK(refused.reset > 55s);
  CHECK(refused.reset <= 60s);
  CHECK(hit(app.loops, *app.second, r, "203.0.113.11").allowed);  // another key
}

TEST_CASE("make_limiter counts in Redis when REDIS_URL is set", "[ratelimit][redis]") {
  keel::runtime::event_loops loops(1);
  keel::redis::settings cfg;
  cfg.url = keel::test::redis_url();
  auto shared = rl::make_limiter(cfg, loops);
  redis::client c(loops, keel::test::redis_options(cfg.url));
  rl::rule r{unique_rule("signup_ip"), 5, 60s};
  std::string ip = "198.51.100.20";
  hit(loops, *shared, r, ip);
  hit(loops, *shared, r, ip);
  CHECK(keel::test::run_command(loops, c, {"GET", rl::redis_key(r, ip)}).text == "2");
}

TEST_CASE("counters in Redis are namespaced, hashed and expire with their window",
          "[ratelimit][redis]") {
  keel::runtime::event_loops loops(1);
  redis::client c(loops, keel::test::redis_options(keel::test::redis_url()));
  auto limiter = rl::make_redis_limiter(c);
  rl::rule r{unique_rule("login_email"), 5, 60s};
  std::string email = "grace.hopper@example.com";
  hit(loops, *limiter, r, email);
  auto keys = keel::test::run_command(loops, c, {"KEYS", "keel:rl:" + r.name + ":*"});
  REQUIRE(keys.elements.size() == 1);
  CHECK(keys.elements[0].text == rl::redis_key(r, email));
  CHECK(keys.elements[0].text.find("grace") == std::string::npos);
  auto ttl = keel::test::run_command(loops, c, {"PTTL", rl::redis_key(r, email)});
  CHECK(ttl.integer > 55'000);
  CHECK(ttl.integer <= 60'000);
}

TEST_CASE("a Redis window ends and the count starts again", "[ratelimit][redis]") {
  keel::runtime::event_loops loops(1);
  redis::client c(loops, keel::test::redis_options(keel::test::redis_url()));
  auto limiter = rl::make_redis_limiter(c);
  rl::rule r{unique_rule("short"), 1, 1s};
  std::string key = "192.0.2.5";
  CHECK(hit(loops, *limiter, r, key).allowed);
  auto refused = hit(loops, *limiter, r, key);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.reset == 1s);
  std::this_thread::sleep_for(1100ms);
  auto again = hit(loops, *limiter, r, key);
  CHECK(again.allowed);
  CHECK(again.remaining == 0);
}

TEST_CASE("reset deletes the counter in Redis for every instance", "[ratelimit][redis]") {
  two_instances app(keel::test::redis_url());
  rl::rule r{unique_rule("login_email"), 2, 60s};
  std::string email = "ada@example.com";
  hit(app.loops, *app.first, r, email);
  hit(app.loops, *app.first, r, email);
  CHECK_FALSE(hit(app.loops, *app.second, r, email).allowed);
  run_async(app.loops, [&]() -> async<void> { co_await app.first->reset(r, email); });
  auto after = hit(app.loops, *app.second, r, email);
  CHECK(after.allowed);
  CHECK(after.remaining == 1);
}

TEST_CASE("after SCRIPT FLUSH the script is sent again with EVAL and counting goes on",
          "[ratelimit][redis][serial]") {
  keel::test::redis_server server;
  keel::runtime::event_loops loops(1);
  redis::client c(loops, keel::test::redis_options(server.url()));
  auto limiter = rl::make_redis_limiter(c);
  rl::rule r{"flush", 5, 60s};
  std::string key = "192.0.2.77";
  CHECK(hit(loops, *limiter, r, key).remaining == 4);
  keel::test::run_command(loops, c, {"SCRIPT", "FLUSH"});
  CHECK(hit(loops, *limiter, r, key).remaining == 3);
  CHECK(keel::test::run_command(loops, c, {"GET", rl::redis_key(r, key)}).text ==
        "2");  // counted in Redis
}

TEST_CASE(
    "while Redis is down hits are counted in-process without delay, and shared again once it "
    "is back",
    "[ratelimit][redis][serial]") {
  keel::test::redis_server server;
  two_instances app(server.url());
  rl::rule r{"outage", 10, 60s};
  std::string ip = "203.0.113.50";
  hit(app.loops, *app.first, r, ip);
  CHECK(hit(app.loops, *app.second, r, ip).remaining == 8);  // shared

  server.stop();
  auto started = std::chrono::steady_clock::now();
  for (int i = 1; i <= 5; ++i) {
    auto d = hit(app.loops, *app.first, r, ip);
    CHECK(d.allowed);
    CHECK(d.remaining == 10 - i);  // counted in this instance only, from zero
  }
  CHECK(std::chrono::steady_clock::now() - started < 2s);

  server.start();  // empty: no persistence
  std::string fresh = "203.0.113.51";
  bool shared = false;
  for (int i = 0; i < 60 && !shared; ++i) {
    rl::rule probe{"outage_probe_" + std::to_string(i), 10, 60s};
    hit(app.loops, *app.first, probe, fresh);
    shared = hit(app.loops, *app.second, probe, fresh).remaining == 8;
    if (!shared) std::this_thread::sleep_for(100ms);
  }
  CHECK(shared);
}
