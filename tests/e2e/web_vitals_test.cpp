// Web vitals against the real keel-api: beacons recorded as histograms on /metrics, labelled
// by route pattern, bad reports refused with their field, and the per-IP limit.
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "../support/api_server.hpp"
#include "../support/redis_server.hpp"
#include "expect_problem.hpp"
#include "rules_stack.hpp"  // names_field

using keel::test::api_server;
using keel::test::env_vars;
using keel::test::expect_problem;
using keel::test::header_list;
using keel::test::http_response;
using keel::test::names_field;

namespace {

const env_vars vitals_env = {{"WEB_VITALS_ROUTES", "/,/rules/:id,/templates/:slug,/create/*"}};

http_response beacon(api_server& api, const std::string& body,
                     const std::string& type = "application/json", header_list headers = {}) {
  headers.push_back({"Content-Type", type});
  return api.request("POST", "/api/v1/web-vitals", headers, body);
}

boost::json::object report(const char* name, double value, const char* rating, const char* path) {
  return {{"name", name}, {"value", value}, {"rating", rating}, {"path", path}};
}

std::string text(const boost::json::value& v) {
  return boost::json::serialize(v);
}

std::string metrics_of(api_server& api) {
  auto r = api.get("/metrics");
  REQUIRE(r.status == 200);
  return r.body;
}

bool has(const std::string& metrics, const std::string& line) {
  return metrics.find(line + "\n") != std::string::npos;
}

// Every line of the exposition is a HELP or TYPE comment or one sample, and every sample's
// metric was typed first (text format 0.0.4).
void check_exposition(const std::string& metrics) {
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? )"
      R"(([-+]?[0-9.eE+-]+|NaN|[+-]Inf)$)");
  static const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    INFO(line);
    CHECK((std::regex_match(line, sample) || std::regex_match(line, comment)));
  }
}

}  // namespace

TEST_CASE("a batch of web vitals shows in /metrics by vital, rating and route", "[web_vitals]") {
  api_server api(vitals_env);
  boost::json::array batch{
      report("LCP", 2100, "good", "/rules/0192f3a1-aaaa?tab=stakeholders"),
      report("LCP", 4300, "poor", "/rules/42"),
      report("CLS", 0.07, "good", "/"),
      report("INP", 180, "good", "/create/community/values"),
      report("TTFB", 0, "good", "/templates/consensus"),
  };
  batch[4].as_object()["navigation_type"] = "back-forward";
  auto r = beacon(api, text(batch));
  INFO(r.body);
  REQUIRE(r.status == 204);
  CHECK(r.body.empty());

  auto m = metrics_of(api);
  INFO(m);
  CHECK(has(m, "# TYPE keel_web_vital_lcp_seconds histogram"));
  // 2.1 s falls in the 2.5 s bucket, not in 2 s; 4.3 s only past 5 s.
  CHECK(has(m, R"(keel_web_vital_lcp_seconds_bucket{rating="good",route="/rules/:id",le="2"} 0)"));
  CHECK(
      has(m, R"(keel_web_vital_lcp_seconds_bucket{rating="good",route="/rules/:id",le="2.5"} 1)"));
  CHECK(has(m, R"(keel_web_vital_lcp_seconds_bucket{rating="poor",route="/rules/:id",le="4"} 0)"));
  CHECK(has(m, R"(keel_web_vital_lcp_seconds_bucket{rating="poor",route="/rules/:id",le="5"} 1)"));
  CHECK(has(m, R"(keel_web_vital_lcp_seconds_count{rating="poor",route="/rules/:id"} 1)"));
  CHECK(has(m, R"(keel_web_vital_lcp_seconds_sum{rating="good",route="/rules/:id"} 2.1)"));
  // CLS is unitless.
  CHECK(has(m, R"(keel_web_vital_cls_bucket{rating="good",route="/",le="0.05"} 0)"));
  CHECK(has(m, R"(keel_web_vital_cls_bucket{rating="good",route="/",le="0.075"} 1)"));
  CHECK(has(m, R"(keel_web_vital_inp_seconds_bucket{rating="good",route="/create/*",le="0.2"} 1)"));
  CHECK(has(m, R"(keel_web_vital_ttfb_seconds_count{rating="good",route="/templates/:slug"} 1)"));
  // Raw paths never become labels.
  CHECK(m.find("0192f3a1") == std::string::npos);
  CHECK(m.find("/create/community") == std::string::npos);
  check_exposition(m);
}

TEST_CASE("a web vital from a path no pattern matches is labelled other", "[web_vitals]") {
  api_server api(vitals_env);
  REQUIRE(beacon(api, text(report("FCP", 900, "good", "/nowhere/x1"))).status == 204);
  REQUIRE(beacon(api, text(report("FCP", 1200, "good", "/nowhere/x2"))).status == 204);
  REQUIRE(beacon(api, text(report("FCP", 100, "good", "https://example.org/"))).status == 204);
  auto m = metrics_of(api);
  INFO(m);
  CHECK(has(m, R"(keel_web_vital_fcp_seconds_count{rating="good",route="other"} 3)"));
  CHECK(has(m, R"(keel_web_vital_fcp_seconds_bucket{rating="good",route="other",le="1"} 2)"));
  CHECK(m.find("nowhere") == std::string::npos);
  CHECK(m.find("example.org") == std::string::npos);
  check_exposition(m);
}

TEST_CASE("a sendBeacon body sent as text/plain is read as JSON", "[web_vitals]") {
  api_server api(vitals_env);
  auto r = beacon(api, text(report("CLS", 0.3, "poor", "/rules/7")), "text/plain;charset=UTF-8");
  INFO(r.body);
  CHECK(r.status == 204);
  CHECK(beacon(api, text(boost::json::array{report("CLS", 0.01, "good", "/")}), "text/plain")
            .status == 204);
  auto m = metrics_of(api);
  CHECK(has(m, R"(keel_web_vital_cls_count{rating="poor",route="/rules/:id"} 1)"));
  CHECK(has(m, R"(keel_web_vital_cls_count{rating="good",route="/"} 1)"));
  // Other types are still refused, and text that is not JSON is a 400 as anywhere else.
  expect_problem(beacon(api, text(report("CLS", 0.3, "poor", "/")), "text/html"), 415,
                 "unsupported_media_type");
  expect_problem(beacon(api, "{\"name\":", "text/plain"), 400, "malformed_json");
  expect_problem(beacon(api, "not json"), 400, "malformed_json");
}

TEST_CASE("each bad web vital is a 422 naming its field", "[web_vitals]") {
  api_server api(vitals_env);
  auto good = [] { return report("LCP", 1000, "good", "/"); };
  struct bad_case {
    const char* field;
    boost::json::value value;
    const char* where;
  };
  const std::vector<bad_case> cases = {
      {"name", "FID", "[3].name"},
      {"name", "lcp", "[3].name"},
      {"value", -1, "[3].value"},
      {"value", "12", "[3].value"},
      {"value", nullptr, "[3].value"},
      {"rating", "ok", "[3].rating"},
      {"path", 5, "[3].path"},
      {"path", "", "[3].path"},
      {"navigation_type", true, "[3].navigation_type"},
  };
  for (const auto& c : cases) {
    INFO(c.field << " = " << boost::json::serialize(c.value));
    boost::json::array batch{good(), good(), good(), good()};
    batch[3].as_object()[c.field] = c.value;
    auto r = beacon(api, text(batch));
    expect_problem(r, 422, "validation_failed");
    CHECK(names_field(r, c.where));
  }
  // A missing field, in a single report (no index then).
  auto one = good();
  one.erase("rating");
  auto r = beacon(api, text(one));
  expect_problem(r, 422, "validation_failed");
  CHECK(names_field(r, "rating"));
  // An element that is not an object, and a body that is neither object nor array.
  r = beacon(api, text(boost::json::array{good(), 7}));
  expect_problem(r, 422, "validation_failed");
  CHECK(names_field(r, "[1]"));
  expect_problem(beacon(api, "42"), 400, "body_not_object");
  // Nothing of a refused batch is recorded, not even its good reports.
  CHECK(metrics_of(api).find("keel_web_vital_lcp_seconds_count") == std::string::npos);
}

TEST_CASE("more than 20 web vitals in one request is a 422", "[web_vitals]") {
  api_server api(vitals_env);
  boost::json::array twenty;
  for (int i = 0; i < 20; ++i) twenty.push_back(report("INP", 50, "good", "/"));
  CHECK(beacon(api, text(twenty)).status == 204);
  auto twenty_one = twenty;
  twenty_one.push_back(report("INP", 50, "good", "/"));
  auto r = beacon(api, text(twenty_one));
  expect_problem(r, 422, "validation_failed");
  CHECK(names_field(r, ""));
  CHECK(beacon(api, "[]").status == 204);  // an empty batch records nothing
  CHECK(has(metrics_of(api), R"(keel_web_vital_inp_seconds_count{rating="good",route="/"} 20)"));
}

TEST_CASE("web vitals are limited per IP: 429 with Retry-After", "[web_vitals]") {
  api_server api(vitals_env);
  auto body = text(report("TTFB", 300, "good", "/"));
  for (int i = 0; i < 60; ++i) {
    auto r = beacon(api, body);
    INFO(i << " " << r.body);
    REQUIRE(r.status == 204);
  }
  auto refused = beacon(api, body);
  expect_problem(refused, 429, "rate_limited");
  CHECK(std::stoi(refused.header("retry-after")) > 0);
}

TEST_CASE("with REDIS_URL two keel-api processes share the web vitals limit",
          "[web_vitals][redis]") {
  // Behind one trusted proxy, so that the client address (and the Redis key) is this run's own.
  env_vars env = vitals_env;
  env["REDIS_URL"] = keel::test::redis_url();
  env["TRUSTED_PROXY_HOPS"] = "1";
  api_server a(env);
  api_server b(env);
  std::string ip = "10." + std::to_string(::getpid() % 250) + "." +
                   std::to_string(a.port() / 256 % 256) + "." + std::to_string(a.port() % 256);
  header_list from = {{"X-Forwarded-For", ip}};
  auto body = text(report("TTFB", 300, "good", "/"));
  for (int i = 0; i < 30; ++i) REQUIRE(beacon(a, body, "application/json", from).status == 204);
  for (int i = 0; i < 30; ++i) REQUIRE(beacon(b, body, "application/json", from).status == 204);
  expect_problem(beacon(a, body, "application/json", from), 429, "rate_limited");
  expect_problem(beacon(b, body, "application/json", from), 429, "rate_limited");
}

TEST_CASE("/openapi.json documents the web vitals beacon", "[web_vitals]") {
  api_server api(vitals_env);
  auto r = api.get("/openapi.json");
  REQUIRE(r.status == 200);
  auto doc = r.json();
  const auto& op = doc.at("paths").at("/api/v1/web-vitals").at("post").as_object();
  CHECK(op.at("security").as_array().empty());
  const auto& content = op.at("requestBody").at("content").as_object();
  REQUIRE(content.contains("application/json"));
  REQUIRE(content.contains("text/plain"));
  const auto& schema = content.at("application/json").at("schema").as_object();
  REQUIRE(schema.at("oneOf").as_array().size() == 2);
  CHECK(schema.at("oneOf").at(1).at("maxItems").as_int64() == 20);
  const auto& vital = doc.at("components").at("schemas").at("WebVital").as_object();
  CHECK(vital.at("properties").at("rating").at("enum").as_array().size() == 3);
  CHECK(vital.at("properties").at("value").at("minimum").to_number<double>() == 0);
  CHECK(op.at("responses").as_object().contains("204"));
  CHECK(op.at("responses").as_object().contains("429"));
}
