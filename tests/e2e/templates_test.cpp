// Rule templates over HTTP against the real keel-api and its seeded database.
#include <catch2/catch.hpp>
#include <set>

#include "../support/api_server.hpp"
#include "expect_problem.hpp"

using namespace keel::test;

TEST_CASE("listing templates pages through the whole catalogue in order with cursors") {
  api_server api;
  std::vector<std::string> slugs;
  std::string target = "/api/v1/templates?limit=3";
  int pages = 0;
  while (true) {
    auto r = api.get(target);
    REQUIRE(r.status == 200);
    auto body = r.json().as_object();
    auto& data = body.at("data").as_array();
    CHECK(data.size() <= 3);
    for (auto& t : data) slugs.emplace_back(t.at("slug").as_string());
    ++pages;
    if (body.at("next_cursor").is_null()) break;
    target = "/api/v1/templates?limit=3&cursor=" + std::string(body.at("next_cursor").as_string());
    REQUIRE(pages < 10);
  }
  CHECK(pages == 3);
  REQUIRE(slugs.size() == 8);
  CHECK(slugs.front() == "welcome-new-user");
  CHECK(slugs.back() == "failed-login-alert");
  CHECK(std::set<std::string>(slugs.begin(), slugs.end()).size() == 8);
}

TEST_CASE("a template carries its fields and its rule document") {
  api_server api;
  auto r = api.get("/api/v1/templates/weekly-digest");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").rfind("application/json", 0) == 0);
  auto t = r.json().as_object();
  CHECK(t.at("slug").as_string() == "weekly-digest");
  CHECK(t.at("title").as_string() == "Send a weekly digest");
  CHECK(t.at("category").as_string() == "engagement");
  CHECK(t.at("sort_order").as_int64() == 60);
  CHECK(t.at("document").at("trigger").at("schedule").as_string() == "weekly");
  CHECK(std::string(t.at("created_at").as_string()).back() == 'Z');
}

TEST_CASE("the category filter returns only that category") {
  api_server api;
  auto r = api.get("/api/v1/templates?category=billing");
  REQUIRE(r.status == 200);
  auto data = r.json().at("data").as_array();
  REQUIRE(data.size() == 2);
  for (auto& t : data) CHECK(t.at("category").as_string() == "billing");
  CHECK(r.json().at("next_cursor").is_null());
}

TEST_CASE("an unknown slug is a 404 problem") {
  api_server api;
  expect_problem(api.get("/api/v1/templates/no-such-template"), 404, "template_not_found");
}

TEST_CASE("out-of-range paging parameters are 422 problems naming the field") {
  api_server api;
  auto r = api.get("/api/v1/templates?limit=0");
  expect_problem(r, 422, "validation_failed");
  CHECK(r.json().at("errors").at(0).at("field").as_string() == "limit");
  auto not_number = api.get("/api/v1/templates?limit=ten");
  expect_problem(not_number, 422, "validation_failed");
  auto bad_cursor = api.get("/api/v1/templates?cursor=not-a-cursor");
  CHECK(bad_cursor.status / 100 == 4);
  CHECK(bad_cursor.header("content-type").rfind("application/problem+json", 0) == 0);
}

TEST_CASE("a valid rule document passes validation") {
  api_server api;
  auto r = api.request("POST", "/api/v1/rules/validate", {{"Content-Type", "application/json"}},
                       R"({"trigger": {"event": "order.created"},
                           "conditions": [{"field": "order.total_cents", "op": "gte", "value": 100}],
                           "actions": [{"type": "email.send", "template": "x"}]})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("valid").as_bool());
}

TEST_CASE("an invalid rule document lists every problem with its field path") {
  api_server api;
  auto r = api.request("POST", "/api/v1/rules/validate", {{"Content-Type", "application/json"}},
                       R"({"trigger": {"schedule": "fortnightly"},
                           "conditions": [{"field": "Order", "op": "about", "value": 1}],
                           "actions": []})");
  expect_problem(r, 422, "validation_failed");
  std::set<std::string> fields;
  auto body = r.json();
  for (auto& e : body.at("errors").as_array())
    fields.insert(std::string(e.at("field").as_string()));
  CHECK(fields.count("trigger.schedule") == 1);
  CHECK(fields.count("conditions[0].field") == 1);
  CHECK(fields.count("conditions[0].op") == 1);
  CHECK(fields.count("actions") == 1);
}
