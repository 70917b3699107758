// The in-process rate limiter: counting, windows, reset, threads, memory cap, headers.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "core/ratelimit/limiter.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"

using namespace std::chrono_literals;
namespace rl = keel::ratelimit;
using keel::async;
using keel::test::run_async;

namespace {

// One hit, run to completion on `loops` (the limiter is asynchronous like its Redis twin).
rl::decision hit(keel::runtime::event_loops& loops, rl::limiter& limiter, const rl::rule& r,
                 const std::string& key) {
  return run_async(loops, [&]() -> async<rl::decision> { co_return co_await limiter.hit(r, key); });
}

void reset(keel::runtime::event_loops& loops, rl::limiter& limiter, const rl::rule& r,
           const std::string& key) {
  run_async(loops, [&]() -> async<void> { co_await limiter.reset(r, key); });
}

}  // namespace

TEST_CASE("the in-process limiter allows `limit` hits, then refuses until the window ends") {
  keel::runtime::event_loops loops(1);
  auto limiter = rl::make_memory_limiter();
  rl::rule r{"login_ip", 3, 60s};
  std::string ip = "203.0.113.7";
  for (int i = 1; i <= 3; ++i) {
    auto d = hit(loops, *limiter, r, ip);
    CHECK(d.allowed);
    CHECK(d.limit == 3);
    CHECK(d.remaining == 3 - i);
    CHECK(d.reset > 0s);
    CHECK(d.reset <= 60s);
  }
  auto refused = hit(loops, *limiter, r, ip);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.remaining == 0);
  CHECK(refused.reset > 0s);
  CHECK(refused.reset <= 60s);
  CHECK_FALSE(hit(loops, *limiter, r, ip).allowed);  // refusals do not reopen the window
}

TEST_CASE("keys and rules are counted independently") {
  keel::runtime::event_loops loops(1);
  auto limiter = rl::make_memory_limiter();
  rl::rule per_ip{"login_ip", 1, 60s};
  rl::rule per_email{"login_email", 1, 60s};
  std::string ip = "198.51.100.1";
  std::string other_ip = "198.51.100.2";
  CHECK(hit(loops, *limiter, per_ip, ip).allowed);
  CHECK_FALSE(hit(loops, *limiter, per_ip, ip).allowed);
  CHECK(hit(loops, *limiter, per_ip, other_ip).allowed);
  CHECK(hit(loops, *limiter, per_email, ip).allowed);  // same key, another rule
}

TEST_CASE("reset forgets the hits of one key under one rule only") {
  keel::runtime::event_loops loops(1);
  auto limiter = rl::make_memory_limiter();
  rl::rule r{"login_email", 2, 60s};
  rl::rule other{"otp_email", 2, 60s};
  std::string email = "ada@example.com";
  hit(loops, *limiter, r, email);
  hit(loops, *limiter, other, email);
  CHECK_FALSE(hit(loops, *limiter, r, email).remaining > 0);
  reset(loops, *limiter, r, email);
  auto after = hit(loops, *limiter, r, email);
  CHECK(after.allowed);
  CHECK(after.remaining == 1);
  CHECK(hit(loops, *limiter, other, email).remaining == 0);  // the other rule kept its count
}

TEST_CASE("when the window ends the count starts again") {
  keel::runtime::event_loops loops(1);
  auto limiter = rl::make_memory_limiter();
  rl::rule r{"short", 2, 1s};
  std::string key = "192.0.2.1";
  CHECK(hit(loops, *limiter, r, key).allowed);
  CHECK(hit(loops, *limiter, r, key).allowed);
  auto refused = hit(loops, *limiter, r, key);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.reset == 1s);
  std::this_thread::sleep_for(1100ms);
  auto again = hit(loops, *limiter, r, key);
  CHECK(again.allowed);
  CHECK(again.remaining == 1);
}

TEST_CASE("hits on one key from many loop threads at once are counted exactly") {
  keel::runtime::event_loops loops(4);
  auto limiter = rl::make_memory_limiter();
  rl::rule r{"busy", 3000, 60s};
  std::string key = "192.0.2.99";
  std::atomic<int> allowed{0};
  std::atomic<int> refused{0};
  keel::test::run_concurrently(loops, 8, [&](int) -> async<void> {
    for (int i = 0; i < 500; ++i) {
      auto d = co_await limiter->hit(r, key);
      (d.allowed ? allowed : refused).fetch_add(1);
    }
  });
  CHECK(allowed.load() == 3000);
  CHECK(refused.load() == 1000);
}

TEST_CASE("past max_keys the windows that end soonest are forgotten first") {
  keel::runtime::event_loops loops(1);
  auto limiter = rl::make_memory_limiter(64);
  rl::rule r{"flood", 1, 60s};
  rl::rule later{"flood", 1, 120s};
  std::string victim = "victim";
  CHECK(hit(loops, *limiter, r, victim).allowed);
  CHECK_FALSE(hit(loops, *limiter, r, victim).allowed);
  run_async(loops, [&]() -> async<void> {
    for (int i = 0; i < 5000; ++i) {
      std::string key = "key-" + std::to_string(i);
      co_await limiter->hit(later, key);  // windows that end after the victim's
    }
  });
  // The victim's window ended soonest, so it was among the first forgotten.
  CHECK(hit(loops, *limiter, r, victim).allowed);
}

TEST_CASE("headers() gives RateLimit-Limit, -Remaining, -Reset, and Retry-After when refused") {
  using header = std::pair<std::string, std::string>;
  auto allowed = rl::headers({.allowed = true, .limit = 20, .remaining = 19, .reset = 300s});
  CHECK(allowed == std::vector<header>{{"RateLimit-Limit", "20"},
                                       {"RateLimit-Remaining", "19"},
                                       {"RateLimit-Reset", "300"}});
  auto refused = rl::headers({.allowed = false, .limit = 20, .remaining = 0, .reset = 42s});
  CHECK(refused == std::vector<header>{{"RateLimit-Limit", "20"},
                                       {"RateLimit-Remaining", "0"},
                                       {"RateLimit-Reset", "42"},
                                       {"Retry-After", "42"}});
}

TEST_CASE("Redis keys are namespaced by rule and hash the key: bounded, no email in clear") {
  rl::rule r{"login_email", 5, 60s};
  std::string email = "ada.lovelace@example.com";
  auto key = rl::redis_key(r, email);
  CHECK(key.starts_with("keel:rl:login_email:"));
  CHECK(key.size() == std::string("keel:rl:login_email:").size() + 64);
  CHECK(key.find("ada") == std::string::npos);
  CHECK(key.find("example") == std::string::npos);
  CHECK(rl::redis_key(r, std::string(100'000, 'x')).size() == key.size());
  CHECK(rl::redis_key(r, "other@example.com") != key);
  CHECK(rl::redis_key(r, email) == key);  // stable: every instance finds the same counter
}
