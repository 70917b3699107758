// Auth end to end, brute force: account lockout and rate limits, in-process and through Redis.
#include <catch2/catch.hpp>

#include "../support/redis_server.hpp"
#include "auth_stack.hpp"
#include "expect_problem.hpp"

using keel::test::auth_stack;
using keel::test::expect_problem;
using keel::test::str;

TEST_CASE("ten failed logins lock the account: the right password then gets 429 with Retry-After",
          "[auth]") {
  // Rate limits off, so that the 429 can only come from the account's lockout.
  auth_stack s(keel::test::env_vars{{"RATE_LIMITS", "false"}});
  auto email = keel::test::unique_address();
  s.register_user(email);
  for (int i = 0; i < 10; ++i) {
    expect_problem(s.post("/api/v1/auth/login",
                          {{"email", email}, {"password", "guess " + std::to_string(i)}}),
                   401, "invalid_credentials");
  }
  auto locked =
      s.post("/api/v1/auth/login", {{"email", email}, {"password", "correct horse battery"}});
  expect_problem(locked, 429, "rate_limited");
  int retry_after = std::stoi(locked.header("retry-after"));
  CHECK(retry_after > 800);
  CHECK(retry_after <= 900);
  // Same body as any rate limit: nothing says "this account exists and is locked".
  CHECK(str(locked.json().at("detail")) == "Too many requests.");
}

TEST_CASE("an unknown address is refused after as many logins as a real one is locked after",
          "[auth]") {
  auth_stack s;
  auto unknown = keel::test::unique_address();
  for (int i = 0; i < 10; ++i) {
    expect_problem(s.post("/api/v1/auth/login", {{"email", unknown}, {"password", "a guess"}}), 401,
                   "invalid_credentials");
  }
  auto refused = s.post("/api/v1/auth/login", {{"email", unknown}, {"password", "a guess"}});
  expect_problem(refused, 429, "rate_limited");
  CHECK(std::stoi(refused.header("retry-after")) > 800);
}

TEST_CASE("code requests are limited per address with RateLimit headers, then 429", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  for (int i = 0; i < 5; ++i) {
    auto r = s.post("/api/v1/auth/otp/request", {{"email", email}});
    INFO(r.body);
    REQUIRE(r.status == 202);
    CHECK(r.header("ratelimit-limit") == "5");
    CHECK(r.header("ratelimit-remaining") == std::to_string(4 - i));
    CHECK(std::stoi(r.header("ratelimit-reset")) > 0);
  }
  auto refused = s.post("/api/v1/auth/otp/request", {{"email", email}});
  expect_problem(refused, 429, "rate_limited");
  CHECK(std::stoi(refused.header("retry-after")) > 0);
  CHECK(refused.header("ratelimit-remaining") == "0");
  // Another address is counted on its own.
  CHECK(s.post("/api/v1/auth/otp/request", {{"email", keel::test::unique_address()}}).status ==
        202);
}

TEST_CASE("without Redis each keel-api counts alone", "[auth]") {
  auth_stack a;
  keel::test::api_server b;
  auto email = keel::test::unique_address();
  for (int i = 0; i < 5; ++i)
    REQUIRE(a.post("/api/v1/auth/otp/request", {{"email", email}}).status == 202);
  expect_problem(a.post("/api/v1/auth/otp/request", {{"email", email}}), 429, "rate_limited");
  auto on_b = b.request("POST", "/api/v1/auth/otp/request", keel::test::json_headers,
                        keel::test::json_body({{"email", email}}));
  CHECK(on_b.status == 202);
}

TEST_CASE("with REDIS_URL two keel-api processes share their rate limit counts", "[auth][redis]") {
  // A key of its own in the shared Redis: the address is unique to this run.
  keel::test::env_vars env = {{"REDIS_URL", keel::test::redis_url()}};
  auth_stack a(env);
  keel::test::api_server b(env);
  auto email = keel::test::unique_address();
  for (int i = 0; i < 3; ++i)
    REQUIRE(a.post("/api/v1/auth/otp/request", {{"email", email}}).status == 202);
  auto ask_b = [&] {
    return b.request("POST", "/api/v1/auth/otp/request", keel::test::json_headers,
                     keel::test::json_body({{"email", email}}));
  };
  CHECK(ask_b().status == 202);
  CHECK(ask_b().status == 202);
  expect_problem(ask_b(), 429, "rate_limited");
}
