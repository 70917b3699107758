// Typed endpoints: decoding query and body, status codes, and the route doc they fill.
#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/parse.hpp>
#include <exception>
#include <map>
#include <optional>
#include <string>

#include "core/dto/page.hpp"
#include "core/http/endpoint.hpp"

namespace endpoint_test {

struct create_note {
  std::string title;
  std::optional<std::string> body;
};
BOOST_DESCRIBE_STRUCT(create_note, (), (title, body))

constexpr auto keel_rules(const create_note*) {
  using namespace keel::dto;
  return rules(field("title").min_length(1).max_length(80));
}

struct note {
  static constexpr std::string_view schema_name = "Note";
  keel::uuid id;
  std::string title;
};
BOOST_DESCRIBE_STRUCT(note, (), (id, title))

struct list_notes {
  std::optional<int> limit;
};
BOOST_DESCRIBE_STRUCT(list_notes, (), (limit))

constexpr auto keel_rules(const list_notes*) {
  using namespace keel::dto;
  return rules(field("limit").range(1, 100));
}

}  // namespace endpoint_test

using namespace endpoint_test;
namespace http = keel::http;
using keel::async;

namespace {

const char* note_id = "0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e";

using header_map = std::map<std::string, std::string>;  // lower-case names

std::optional<std::string_view> find_header(const void* message, std::string_view name) {
  const auto& headers = *static_cast<const header_map*>(message);
  std::string key(name);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto found = headers.find(key);
  if (found == headers.end()) return std::nullopt;
  return std::string_view(found->second);
}

http::response call(const http::route& r, std::string_view target, std::string_view body = "",
                    header_map headers = {{"content-type", "application/json"}}) {
  http::request req(r.verb, target, body, &headers, &find_header);
  boost::asio::io_context io;
  std::optional<http::response> out;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, r.run(req), [&](std::exception_ptr e, http::response res) {
    failure = e;
    out = std::move(res);
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*out);
}

http::route create_route() {
  return http::post("/notes", {.summary = "Create a note", .tag = "notes", .status = 201},
                    [](http::input<http::no_query, create_note>& in) -> async<note> {
                      co_return note{*keel::uuid::parse(note_id), in.body.title};
                    });
}

}  // namespace

TEST_CASE("a JSON body is decoded, handled and encoded with the success status") {
  auto res = call(create_route(), "/notes", R"({"title":"groceries"})");
  CHECK(res.status == 201);
  CHECK(boost::json::parse(res.body) ==
        boost::json::parse(R"({"id":"0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e","title":"groceries"})"));
}

TEST_CASE("a body that is not JSON by Content-Type is 415") {
  auto kind_of = [](header_map headers) {
    try {
      call(create_route(), "/notes", R"({"title":"x"})", std::move(headers));
    } catch (const keel::error& e) {
      return e.kind();
    }
    return keel::error_kind::internal;
  };
  CHECK(kind_of({}) == keel::error_kind::unsupported_media_type);
  CHECK(kind_of({{"content-type", "text/plain"}}) == keel::error_kind::unsupported_media_type);
  CHECK(kind_of({{"content-type", "application/jsonx"}}) ==
        keel::error_kind::unsupported_media_type);
  CHECK_NOTHROW(call(create_route(), "/notes", R"({"title":"x"})",
                     {{"content-type", "Application/JSON; charset=utf-8"}}));
  CHECK_NOTHROW(call(create_route(), "/notes", R"({"title":"x"})",
                     {{"content-type", "application/merge-patch+json"}}));
}

TEST_CASE("a malformed body is 400 and an invalid one 422 with its fields") {
  CHECK_THROWS_AS(call(create_route(), "/notes", R"({"title":)"), keel::bad_request);
  try {
    call(create_route(), "/notes", R"({"title":""})");
    FAIL("expected validation_failed");
  } catch (const keel::validation_failed& e) {
    REQUIRE(e.field_errors().size() == 1);
    CHECK(e.field_errors()[0].field == "title");
  }
}

TEST_CASE("query parameters are decoded and validated; path parameters are typed") {
  auto r = http::get("/notes/{id}/links", {.summary = "Links of a note"},
                     [](http::input<list_notes>& in) -> async<keel::dto::page<note>> {
                       keel::dto::page<note> p;
                       p.data.push_back(note{in.path<keel::uuid>("id"), "first"});
                       p.next_cursor = std::to_string(in.query.limit.value_or(20));
                       co_return p;
                     });
  r.run = [run = r.run](http::request& req) {
    req.set_path_params({{"id", note_id}});
    return run(req);
  };
  auto res = call(r, "/notes/x/links?limit=5", "", {});
  CHECK(res.status == 200);
  auto body = boost::json::parse(res.body);
  CHECK(body.at("data").at(0).at("id") == note_id);
  CHECK(body.at("next_cursor") == "5");
  CHECK_THROWS_AS(call(r, "/notes/x/links?limit=500", "", {}), keel::validation_failed);
}

TEST_CASE("a handler that returns nothing answers 204") {
  auto r = http::delete_("/notes/{id}", {.summary = "Delete a note", .errors = {404}},
                         [](http::input<>&) -> async<void> { co_return; });
  auto res = call(r, "/notes/1");
  CHECK(res.status == 204);
  CHECK(res.body.empty());
  CHECK(r.doc.success_status == 204);
  CHECK(r.doc.response_schema.is_null());
  CHECK(r.doc.error_statuses == std::vector<int>{404});
}

TEST_CASE("a reply sets its own status and headers") {
  auto r = http::post("/notes/{id}/copy", {.summary = "Copy a note"},
                      [](http::input<>&) -> async<http::reply<note>> {
                        co_return http::reply<note>{
                            {*keel::uuid::parse(note_id), "copy"}, 201, {{"Location", "/notes/1"}}};
                      });
  auto res = call(r, "/notes/1/copy");
  CHECK(res.status == 201);
  REQUIRE(res.find_header("Location"));
  CHECK(*res.find_header("Location") == "/notes/1");
  CHECK(r.doc.response_schema.at("$ref") == "#/$defs/Note");
}

TEST_CASE("the route doc is filled from the handler's types") {
  auto r = create_route();
  CHECK(r.verb == http::method::post);
  CHECK(r.doc.summary == "Create a note");
  CHECK(r.doc.tag == "notes");
  CHECK(r.doc.success_status == 201);
  CHECK(r.doc.query_schema.is_null());
  CHECK(r.doc.request_schema.at("properties").at("title").at("maxLength") == 80);
  CHECK(r.doc.response_schema.at("$ref") == "#/$defs/Note");
  CHECK(r.doc.error_statuses == std::vector<int>{413, 415, 422});
}
