// Cached public reads through real keel-api processes: templates and methods with ETag and
// 304, cache hits in /metrics, two instances sharing one Redis, and reads while Redis is down.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "../support/redis_server.hpp"
#include "rules_stack.hpp"

using namespace keel::test;

namespace {

// The value of an unlabelled-but-for-cache counter in /metrics text, or -1.
long long counter_of(const std::string& metrics, const std::string& series) {
  auto at = metrics.find(series + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(metrics.substr(at + series.size() + 1));
}

}  // namespace

TEST_CASE("templates and methods answer an ETag, 304 on If-None-Match, and hit the cache") {
  api_server api;
  for (std::string target : {"/api/v1/templates", "/api/v1/templates?size=two_to_five&limit=5",
                             "/api/v1/templates/consensus", "/api/v1/methods?section=membership"}) {
    INFO(target);
    auto first = api.get(target);
    REQUIRE(first.status == 200);
    auto etag = first.header("etag");
    REQUIRE(etag.size() > 2);
    CHECK(first.header("cache-control") == "public, max-age=60");
    auto again = api.get(target);
    CHECK(again.status == 200);
    CHECK(again.header("etag") == etag);
    CHECK(again.body == first.body);
    auto same = api.get(target, {{"If-None-Match", etag}});
    CHECK(same.status == 304);
    CHECK(same.body.empty());
    CHECK(same.header("etag") == etag);
    CHECK(same.header("cache-control") == "public, max-age=60");
    CHECK(api.get(target, {{"If-None-Match", "W/" + etag}}).status == 304);
    CHECK(api.get(target, {{"If-None-Match", "\"other\""}}).status == 200);
  }
  // Errors are not cached: still the same 404 and 422 after a first one.
  for (int i = 0; i < 2; ++i) {
    CHECK(api.get("/api/v1/templates/no-such-template").status == 404);
    CHECK(api.get("/api/v1/methods?section=gardening").status == 422);
  }
  auto metrics = api.get("/metrics").body;
  // Four targets, each loaded once and then read four times from the cache; the unknown
  // slug loaded twice (a 404 is not kept); the bad section never reached the cache (422).
  CHECK(counter_of(metrics, "keel_cache_loads_total{cache=\"catalog\"}") == 6);
  CHECK(counter_of(metrics, "keel_cache_hits_total{cache=\"catalog\"}") == 16);
}

TEST_CASE("a rule changed through one keel-api is read changed through another sharing Redis",
          "[redis]") {
  redis_server redis;
  rules_stack a(env_vars{{"REDIS_URL", redis.url()}});
  api_server b(env_vars{{"DATABASE_URL", a.api.database_url()}, {"REDIS_URL", redis.url()}});
  auto ada = a.sign_in();
  auto id = str(a.publish(ada, "Before").at("id"));
  auto target = "/api/v1/rules/" + id;

  auto through_b = b.get(target);  // loads and stores the rule in Redis
  REQUIRE(through_b.status == 200);
  CHECK(str(through_b.json().at("title")) == "Before");
  CHECK(through_b.json().at("viewer_role").is_null());
  auto etag = through_b.header("etag");
  CHECK(a.api.get(target).header("etag") == etag);  // a hit in the shared cache
  CHECK(b.get(target, {{"If-None-Match", etag}}).status == 304);

  boost::json::object change{{"title", "After"}};
  auto changed = a.send("PATCH", target, &ada, &change, {{"If-Match", etag}});
  REQUIRE(changed.status == 200);
  auto after = b.get(target);
  REQUIRE(after.status == 200);
  CHECK(str(after.json().at("title")) == "After");
  CHECK(after.header("etag") == changed.header("etag"));
  CHECK(b.get(target, {{"If-None-Match", etag}}).status == 200);
  // The owner still sees their role: signed-in reads are not the cached anonymous answer.
  auto own = b.get(target, bearer(ada.token));
  CHECK(str(own.json().at("viewer_role")) == "owner");
  CHECK(own.header("cache-control") == "private, no-cache");

  CHECK(a.send("DELETE", target, &ada).status == 204);
  CHECK(b.get(target).status == 404);

  auto metrics = a.api.get("/metrics").body;
  CHECK(counter_of(metrics, "keel_cache_hits_total{cache=\"rules\"}") >= 1);
}

TEST_CASE("with its Redis stopped keel-api still answers cached reads from PostgreSQL", "[redis]") {
  redis_server redis;
  rules_stack s(env_vars{{"REDIS_URL", redis.url()}});
  auto ada = s.sign_in();
  auto id = str(s.publish(ada, "Steady").at("id"));
  auto target = "/api/v1/rules/" + id;
  REQUIRE(s.api.get(target).status == 200);
  REQUIRE(s.api.get("/api/v1/templates").status == 200);

  redis.stop();
  for (int i = 0; i < 3; ++i) {
    auto rule = s.api.get(target);
    INFO(rule.body);
    CHECK(rule.status == 200);
    CHECK(str(rule.json().at("title")) == "Steady");
    CHECK(s.api.get("/api/v1/templates").status == 200);
    CHECK(s.api.get("/api/v1/templates/consensus").status == 200);
    CHECK(s.api.get("/api/v1/methods?section=communication").status == 200);
  }
  boost::json::object change{{"title", "Changed while Redis was down"}};
  CHECK(s.send("PATCH", target, &ada, &change).status == 200);  // the write is not refused
  CHECK(str(s.api.get(target).json().at("title")) == "Changed while Redis was down");
  auto metrics = s.api.get("/metrics").body;
  CHECK(counter_of(metrics, "keel_cache_errors_total{cache=\"rules\"}") >= 3);
  redis.start();
}
