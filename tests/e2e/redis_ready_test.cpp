// keel-api with REDIS_URL: /ready answers for Redis too.
#include <catch2/catch.hpp>
#include <thread>

#include "../support/api_server.hpp"
#include "../support/redis_server.hpp"
#include "expect_problem.hpp"

using namespace keel::test;

TEST_CASE("/ready is 503 while the configured Redis is stopped and 200 once it is back",
          "[redis][serial]") {
  redis_server redis;
  api_server api(env_vars{{"REDIS_URL", redis.url()}});
  REQUIRE(api.get("/ready").status == 200);
  redis.stop();
  auto down = api.get("/ready");
  redis.start();
  expect_problem(down, 503, "not_ready");
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = api.get("/ready").status == 200;
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(back);
}

TEST_CASE("keel-api refuses a REDIS_URL it cannot use, exits 2 and does not print it") {
  process api(binary("keel-api"), {},
              {{"DATABASE_URL", "postgresql://u@127.0.0.1:1/db"},
               {"REDIS_URL", "redis://:topsecret@cache.example:port"},
               {"PORT", "0"}});
  auto status = api.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  CHECK(api.output().find("REDIS_URL") != std::string::npos);
  CHECK(api.output().find("topsecret") == std::string::npos);
}
