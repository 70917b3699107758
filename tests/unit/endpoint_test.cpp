// Typed endpoints: decoding query and body, status codes, and the route doc they fill.
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/dto/page.hpp"
#include "core/http/endpoint.hpp"
#include "core/ratelimit/limiter.hpp"
#include "core/runtime/error.hpp"

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

struct sign_in {
  std::string email;
  std::optional<std::string> code;
};
BOOST_DESCRIBE_STRUCT(sign_in, (), (email, code))

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

namespace {

// Bearer "user-token" is a user, "admin-token" an admin; anything else is refused.
class fake_authenticator final : public http::authenticator {
 public:
  int calls = 0;
  async<keel::principal> authenticate(std::string_view authorization) override {
    ++calls;
    keel::principal who;
    who.user_id = *keel::uuid::parse(note_id);
    if (authorization == "Bearer user-token") {
      who.role = "user";
    } else if (authorization == "Bearer admin-token") {
      who.role = "admin";
    } else {
      throw keel::unauthorized("Send an access token.", "invalid_token");
    }
    co_return who;
  }
};

struct guarded {
  fake_authenticator auth;
  std::unique_ptr<keel::ratelimit::limiter> limiter = keel::ratelimit::make_memory_limiter();
  http::guard guard;

  guarded() {
    guard.authenticate = &auth;
    guard.limiter = limiter.get();
    guard.add_limits({{"notes_ip", 100, std::chrono::minutes(1)},
                      {"notes_email", 2, std::chrono::minutes(1)},
                      {"notes_user", 1, std::chrono::minutes(1)}});
  }

  // Runs `r` as the pipeline would: the guard set on the request. The request's extra
  // response headers (RateLimit-*) are copied into `added`.
  http::response call(const http::route& r, std::string_view target, std::string_view body = "",
                      header_map headers = {{"content-type", "application/json"}}) {
    http::request req(r.verb, target, body, &headers, &find_header);
    req.set_guard(&guard);
    req.set_remote_address("203.0.113.7:5555");
    boost::asio::io_context io;
    std::optional<http::response> out;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, r.run(req), [&](std::exception_ptr e, http::response res) {
      failure = e;
      out = std::move(res);
    });
    io.run();
    added = req.response_headers();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
  }
  std::vector<std::pair<std::string, std::string>> added;
};

std::string lower_email(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

TEST_CASE("a route declared user answers 401 without a valid token before its handler runs") {
  guarded g;
  bool ran = false;
  auto r = http::post("/notes", {.summary = "Create", .access = http::access::user},
                      [&ran](http::input<http::no_query, create_note>&) -> async<void> {
                        ran = true;
                        co_return;
                      });
  CHECK_THROWS_AS(g.call(r, "/notes", R"({"title":"x"})"), keel::unauthorized);
  header_map bad{{"content-type", "application/json"}, {"authorization", "Bearer nope"}};
  CHECK_THROWS_AS(g.call(r, "/notes", R"({"title":"x"})", bad), keel::unauthorized);
  // Access comes before the body: an anonymous client learns nothing from validation.
  CHECK_THROWS_AS(g.call(r, "/notes", R"({"title":""})"), keel::unauthorized);
  CHECK_FALSE(ran);
  header_map ok{{"content-type", "application/json"}, {"authorization", "Bearer user-token"}};
  CHECK(g.call(r, "/notes", R"({"title":"x"})", ok).status == 204);
  CHECK(ran);
}

TEST_CASE("a route declared admin answers 403 to a user and hands the admin to the handler") {
  guarded g;
  std::optional<keel::principal> seen;
  auto r = http::get("/admin/notes", {.summary = "All notes", .access = http::access::admin},
                     [&seen](http::input<>& in) -> async<void> {
                       seen = in.who();
                       co_return;
                     });
  try {
    g.call(r, "/admin/notes", "", {{"authorization", "Bearer user-token"}});
    FAIL("expected forbidden");
  } catch (const keel::forbidden& e) {
    CHECK(e.code() == "admin_required");
  }
  CHECK_FALSE(seen);
  CHECK(g.call(r, "/admin/notes", "", {{"authorization", "Bearer admin-token"}}).status == 204);
  REQUIRE(seen);
  CHECK(seen->role == "admin");
  CHECK(seen->user_id.str() == note_id);
}

TEST_CASE("a route declared user_if_sent takes no token, but refuses a bad one") {
  guarded g;
  bool signed_in = false;
  auto r = http::post("/logout", {.summary = "Out", .access = http::access::user_if_sent},
                      [&signed_in](http::input<>& in) -> async<void> {
                        signed_in = in.caller.has_value();
                        co_return;
                      });
  CHECK(g.call(r, "/logout", "", {}).status == 204);
  CHECK_FALSE(signed_in);
  CHECK(g.auth.calls == 0);
  CHECK_THROWS_AS(g.call(r, "/logout", "", {{"authorization", "Bearer nope"}}), keel::unauthorized);
  CHECK(g.call(r, "/logout", "", {{"authorization", "Bearer user-token"}}).status == 204);
  CHECK(signed_in);
}

TEST_CASE("a limit keyed on a body member counts each normalized value, then answers 429") {
  guarded g;
  int handled = 0;
  auto r = http::post(
      "/sign-in",
      {.summary = "Sign in",
       .limits = {http::per_ip("notes_ip"), http::per_body("notes_email", "email", &lower_email)}},
      [&handled](http::input<http::no_query, sign_in>&) -> async<void> {
        ++handled;
        co_return;
      });
  CHECK(g.call(r, "/sign-in", R"({"email":"Ada@example.com"})").status == 204);
  // The tighter limit's headers travel with the answer.
  auto remaining = std::find_if(g.added.begin(), g.added.end(),
                                [](const auto& h) { return h.first == "RateLimit-Remaining"; });
  REQUIRE(remaining != g.added.end());
  CHECK(remaining->second == "1");
  CHECK(g.call(r, "/sign-in", R"({"email":"ada@EXAMPLE.com"})").status == 204);
  try {
    g.call(r, "/sign-in", R"({"email":"ADA@example.com"})");
    FAIL("expected too_many_requests");
  } catch (const keel::error& e) {
    CHECK(e.kind() == keel::error_kind::too_many_requests);
  }
  CHECK(handled == 2);
  // Another address is counted apart; the per-IP limit is far from full.
  CHECK(g.call(r, "/sign-in", R"({"email":"grace@example.com"})").status == 204);
  // RATE_LIMITS=false counts nothing.
  g.guard.count_limits = false;
  CHECK(g.call(r, "/sign-in", R"({"email":"ada@example.com"})").status == 204);
}

TEST_CASE("a limit keyed per user counts the caller, after access is checked") {
  guarded g;
  auto r = http::post(
      "/notes/share",
      {.summary = "Share", .access = http::access::user, .limits = {http::per_user("notes_user")}},
      [](http::input<>&) -> async<void> { co_return; });
  header_map user{{"authorization", "Bearer user-token"}};
  CHECK(g.call(r, "/notes/share", "", user).status == 204);
  CHECK_THROWS_AS(g.call(r, "/notes/share", "", user), keel::too_many_requests);
  // Without a token the answer is 401, and nothing was counted for nobody.
  CHECK_THROWS_AS(g.call(r, "/notes/share", "", {}), keel::unauthorized);
}

TEST_CASE("router check names an unknown limit, a missing body member and unwired hooks") {
  http::router routes;
  routes.add(http::post("/a", {.summary = "A", .limits = {http::per_ip("no_such_limit")}},
                        [](http::input<>&) -> async<void> { co_return; }));
  routes.add(http::post("/b", {.summary = "B", .limits = {http::per_body("notes_email", "emial")}},
                        [](http::input<http::no_query, sign_in>&) -> async<void> { co_return; }));
  routes.add(http::get("/c", {.summary = "C", .access = http::access::user},
                       [](http::input<>&) -> async<void> { co_return; }));
  routes.add(http::get("/d", {.summary = "D", .limits = {http::per_user("notes_user")}},
                       [](http::input<>&) -> async<void> { co_return; }));
  auto limiter = keel::ratelimit::make_memory_limiter();
  routes.guard().limiter = limiter.get();
  routes.guard().add_limits(
      {{"notes_email", 2, std::chrono::minutes(1)}, {"notes_user", 1, std::chrono::minutes(1)}});
  auto problems = routes.check();
  auto has = [&](std::string_view text) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.find(text) != std::string::npos; });
  };
  CHECK(has("POST /a: names the rate limit \"no_such_limit\", which no feature declares"));
  CHECK(has("POST /b: the limit notes_email is keyed on the body member \"emial\""));
  CHECK(has("GET /c: needs a caller, but no authenticator is wired"));
  CHECK(has("GET /d: the limit notes_user is per user, but the route takes no caller"));
  CHECK(problems.size() == 4);

  fake_authenticator auth;
  http::router fine;
  fine.guard() = routes.guard();
  fine.guard().authenticate = &auth;
  fine.add(
      http::post("/b",
                 {.summary = "B",
                  .access = http::access::user,
                  .limits = {http::per_body("notes_email", "email"),
                             http::per_body("notes_email", "code"), http::per_user("notes_user")}},
                 [](http::input<http::no_query, sign_in>&) -> async<void> { co_return; }));
  CHECK(fine.check().empty());
}

TEST_CASE("the guard refuses a limit declared twice") {
  http::guard g;
  g.add_limits({{"twice", 1, std::chrono::minutes(1)}});
  CHECK_THROWS_AS(g.add_limits({{"twice", 2, std::chrono::minutes(1)}}), std::logic_error);
}
