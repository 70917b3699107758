// The OpenAPI document written from a router of typed endpoints.
#include <catch2/catch.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/parse.hpp>
#include <functional>
#include <optional>
#include <string>

#include "core/dto/page.hpp"
#include "core/http/endpoint.hpp"
#include "core/http/openapi.hpp"

namespace openapi_test {

struct widget {
  static constexpr std::string_view schema_name = "Widget";
  keel::uuid id;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(widget, (), (id, name))

struct create_widget {
  std::string name;
};
BOOST_DESCRIBE_STRUCT(create_widget, (), (name))

constexpr auto keel_rules(const create_widget*) {
  using namespace keel::dto;
  return rules(field("name").length(1, 40).description("Shown in lists"));
}

struct list_widgets {
  std::optional<int> limit;
  std::optional<std::string> cursor;
  std::string owner;
};
BOOST_DESCRIBE_STRUCT(list_widgets, (), (limit, cursor, owner))

constexpr auto keel_rules(const list_widgets*) {
  using namespace keel::dto;
  return rules(field("limit").range(1, 100).description("Page size"));
}

}  // namespace openapi_test

using namespace openapi_test;
namespace http = keel::http;
using boost::json::parse;
using keel::async;

namespace {

boost::json::value document() {
  http::router r;
  r.add(http::get("/api/v1/widgets", {.summary = "List widgets", .tag = "widgets"},
                  [](http::input<list_widgets>&) -> async<keel::dto::page<widget>> {
                    co_return keel::dto::page<widget>{};
                  }));
  r.add(http::post(
      "/api/v1/widgets",
      {.summary = "Create a widget", .tag = "widgets", .status = 201, .errors = {401, 409}},
      [](http::input<http::no_query, create_widget>&) -> async<widget> { co_return widget{}; }));
  r.add(http::get("/api/v1/widgets/{id}",
                  {.summary = "Get a widget", .tag = "widgets", .errors = {404}},
                  [](http::input<>&) -> async<widget> { co_return widget{}; }));
  r.add(http::delete_("/api/v1/widgets/{id}", {.summary = "Delete a widget", .tag = "widgets"},
                      [](http::input<>&) -> async<void> { co_return; }));
  r.add(http::get("/docs", {.summary = "The docs page", .hidden = true},
                  [](http::input<>&) -> async<http::response> { co_return http::response{}; }));
  http::route metrics;
  metrics.path = "/metrics";
  metrics.run = [](http::request&) -> async<http::response> { co_return http::response{}; };
  metrics.doc.summary = "Prometheus metrics";
  metrics.doc.response_content_type = "text/plain; version=0.0.4";
  r.add(std::move(metrics));
  return http::openapi_document(r, {.title = "keel",
                                    .version = "1.2.3",
                                    .description = "The keel API",
                                    .license = "Proprietary",
                                    .license_identifier = "LicenseRef-Proprietary"});
}

}  // namespace

TEST_CASE("the document names OpenAPI 3.1.0, its info and every visible path") {
  auto doc = document();
  CHECK(doc.at("openapi") == "3.1.0");
  CHECK(doc.at("info") ==
        parse(R"({"title":"keel","version":"1.2.3","description":"The keel API",)"
              R"("license":{"name":"Proprietary","identifier":"LicenseRef-Proprietary"}})"));
  // The server that serves the document, wherever it is deployed.
  CHECK(doc.at("servers") == parse(R"([{"url":"/"}])"));
  const auto& paths = doc.at("paths").as_object();
  CHECK(paths.size() == 3);
  CHECK(paths.contains("/api/v1/widgets"));
  CHECK(paths.contains("/api/v1/widgets/{id}"));
  CHECK(paths.contains("/metrics"));
  CHECK_FALSE(paths.contains("/docs"));
  CHECK(paths.at("/api/v1/widgets").as_object().contains("get"));
  CHECK(paths.at("/api/v1/widgets").as_object().contains("post"));
  CHECK(paths.at("/api/v1/widgets/{id}").as_object().contains("delete"));
}

TEST_CASE("query parameters come from the query DTO with their required flags") {
  auto op = document().at("paths").at("/api/v1/widgets").at("get");
  CHECK(op.at("operationId") == "get_api_v1_widgets");
  CHECK(op.at("tags") == parse(R"(["widgets"])"));
  CHECK(op.at("parameters") == parse(R"([
    {"name":"limit","in":"query","required":false,"description":"Page size",
     "schema":{"type":"integer","format":"int32","minimum":1,"maximum":100}},
    {"name":"cursor","in":"query","required":false,"schema":{"type":"string"}},
    {"name":"owner","in":"query","required":true,"schema":{"type":"string"}}])"));
  CHECK(op.at("responses").at("200").at("content").at("application/json").at("schema") ==
        parse(R"({"type":"object","properties":{
          "data":{"type":"array","items":{"$ref":"#/components/schemas/Widget"}},
          "next_cursor":{"type":["string","null"]}},"required":["data"]})"));
  CHECK(op.at("responses").as_object().contains("422"));
}

TEST_CASE("path parameters are declared and required") {
  auto op = document().at("paths").at("/api/v1/widgets/{id}").at("get");
  CHECK(op.at("parameters") ==
        parse(R"([{"name":"id","in":"path","required":true,"schema":{"type":"string"}}])"));
  CHECK(op.at("responses").as_object().contains("404"));
}

TEST_CASE("a JSON body becomes a required requestBody; errors are problem+json") {
  auto op = document().at("paths").at("/api/v1/widgets").at("post");
  CHECK(op.at("requestBody") == parse(R"({"required":true,"content":{"application/json":{
    "schema":{"type":"object","properties":{"name":{"type":"string","minLength":1,
      "maxLength":40,"description":"Shown in lists"}},"required":["name"]}}}})"));
  const auto& responses = op.at("responses").as_object();
  CHECK(responses.at("201").at("content").at("application/json").at("schema") ==
        parse(R"({"$ref":"#/components/schemas/Widget"})"));
  for (auto status : {"400", "401", "409", "413", "415", "422", "500"}) {
    INFO(status);
    REQUIRE(responses.contains(status));
    CHECK(responses.at(status).at("content").at("application/problem+json").at("schema") ==
          parse(R"({"$ref":"#/components/schemas/Problem"})"));
  }
  CHECK(responses.size() == 8);
}

TEST_CASE("a 204 has no content and a text route documents its content type") {
  auto doc = document();
  auto deleted = doc.at("paths").at("/api/v1/widgets/{id}").at("delete").at("responses");
  CHECK(deleted.at("204") == parse(R"({"description":"No Content"})"));
  auto metrics = doc.at("paths").at("/metrics").at("get").at("responses").at("200");
  CHECK(metrics.at("content").at("text/plain; version=0.0.4").at("schema") ==
        parse(R"({"type":"string"})"));
}

TEST_CASE("named DTO schemas and Problem live in components and every $ref resolves") {
  auto doc = document();
  const auto& schemas = doc.at("components").at("schemas").as_object();
  CHECK(schemas.contains("Problem"));
  CHECK(schemas.at("Widget").at("required") == parse(R"(["id","name"])"));
  CHECK(schemas.at("Problem").at("required") == parse(R"(["type","title","status","code"])"));
  // Walk the whole document: no "$defs" left, every $ref names a component.
  std::function<void(const boost::json::value&)> walk = [&](const boost::json::value& v) {
    if (auto* o = v.if_object()) {
      CHECK_FALSE(o->contains("$defs"));
      if (auto* ref = o->if_contains("$ref")) {
        std::string_view text = ref->as_string();
        REQUIRE(text.starts_with("#/components/schemas/"));
        CHECK(schemas.contains(text.substr(std::string_view("#/components/schemas/").size())));
      }
      for (const auto& [key, child] : *o) walk(child);
    } else if (auto* a = v.if_array()) {
      for (const auto& child : *a) walk(child);
    }
  };
  walk(doc);
}

TEST_CASE("a user route carries a security requirement and an optional body is not required") {
  http::router r;
  r.add(http::post("/api/v1/widgets/{id}/touch",
                   {.summary = "Touch a widget",
                    .tag = "widgets",
                    .errors = {401},
                    .access = http::access::user},
                   [](http::input<http::no_query, std::optional<create_widget>>&) -> async<void> {
                     co_return;
                   }));
  r.add(http::get("/api/v1/public", {.summary = "Public", .tag = "widgets"},
                  [](http::input<>&) -> async<widget> { co_return widget{}; }));
  auto doc = http::openapi_document(r, {.title = "t", .version = "1", .description = ""});
  auto touch = doc.at("paths").at("/api/v1/widgets/{id}/touch").at("post").as_object();
  CHECK(touch.at("security") == parse(R"([{"bearer":[]}])"));
  CHECK(touch.at("requestBody").at("required") == false);
  CHECK(doc.at("paths").at("/api/v1/public").at("get").at("security") == parse("[]"));
  CHECK(doc.at("components").at("securitySchemes").at("bearer") ==
        parse(R"({"type":"http","scheme":"bearer","bearerFormat":"JWT"})"));
}

TEST_CASE("every operation states its security: [] when public, bearer for user and admin") {
  http::router r;
  r.add(http::get("/a", {.summary = "Anyone"}, [](http::input<>&) -> async<void> { co_return; }));
  r.add(http::get("/u", {.summary = "A user", .access = http::access::user},
                  [](http::input<>&) -> async<void> { co_return; }));
  r.add(http::get("/admin", {.summary = "An admin", .access = http::access::admin},
                  [](http::input<>&) -> async<void> { co_return; }));
  r.add(http::post("/out", {.summary = "A token if any", .access = http::access::user_if_sent},
                   [](http::input<>&) -> async<void> { co_return; }));
  auto doc = http::openapi_document(r, {.title = "t", .version = "1", .description = ""});
  auto op = [&](const char* path, const char* verb) {
    return doc.at("paths").at(path).at(verb).as_object();
  };
  CHECK(op("/a", "get").at("security") == parse("[]"));
  CHECK(op("/u", "get").at("security") == parse(R"([{"bearer":[]}])"));
  CHECK(op("/admin", "get").at("security") == parse(R"([{"bearer":[]}])"));
  CHECK(op("/out", "post").at("security") == parse(R"([{"bearer":[]},{}])"));
  // The declared access implies its problem answers.
  CHECK(!op("/a", "get").at("responses").as_object().contains("401"));
  CHECK(op("/u", "get").at("responses").as_object().contains("401"));
  CHECK(!op("/u", "get").at("responses").as_object().contains("403"));
  CHECK(op("/admin", "get").at("responses").as_object().contains("403"));
}

TEST_CASE("a route that counts rate limits documents 429 with Retry-After") {
  http::router r;
  r.add(http::get("/limited", {.summary = "Limited", .limits = {http::per_ip("limited_ip")}},
                  [](http::input<>&) -> async<void> { co_return; }));
  r.add(http::get("/free", {.summary = "Free"}, [](http::input<>&) -> async<void> { co_return; }));
  auto doc = http::openapi_document(r, {.title = "t", .version = "1", .description = ""});
  auto limited = doc.at("paths").at("/limited").at("get").at("responses").as_object();
  REQUIRE(limited.contains("429"));
  CHECK(limited.at("429").as_object().contains("headers"));
  CHECK(!doc.at("paths").at("/free").at("get").at("responses").as_object().contains("429"));
}
