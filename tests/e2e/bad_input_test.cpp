// Whatever a client sends, keel-api answers with the right problem and keeps serving.
#include <catch2/catch.hpp>
#include <thread>

#include "../support/api_server.hpp"
#include "expect_problem.hpp"

using namespace keel::test;

namespace {

const header_list json_type = {{"Content-Type", "application/json"}};

void expect_still_serving(api_server& api) {
  auto r = api.get("/health");
  CHECK(r.status == 200);
  CHECK(api.proc().running());
}

}  // namespace

TEST_CASE("malformed JSON is a 400 problem") {
  api_server api;
  expect_problem(api.request("POST", "/api/v1/auth/password/forgot", json_type, R"({"email": )"),
                 400, "malformed_json");
  expect_problem(api.request("POST", "/api/v1/auth/password/forgot", json_type, "\xff\xfe{]"), 400,
                 "malformed_json");
  expect_still_serving(api);
}

TEST_CASE("a JSON route refuses another content type with 415") {
  api_server api;
  expect_problem(
      api.request("POST", "/api/v1/auth/password/forgot", {{"Content-Type", "text/plain"}},
                  R"({"email": "someone@example.com"})"),
      415, "unsupported_media_type");
  expect_problem(api.request("POST", "/api/v1/auth/password/forgot", {},
                             R"({"email": "someone@example.com"})"),
                 415, "unsupported_media_type");
  expect_still_serving(api);
}

TEST_CASE("a body over the limit is a 413 problem") {
  api_server api(env_vars{{"HTTP_BODY_LIMIT", "1024"}});
  std::string big = R"({"pad": ")" + std::string(4096, 'x') + R"("})";
  expect_problem(api.request("POST", "/api/v1/auth/password/forgot", json_type, big), 413,
                 "payload_too_large");
  expect_still_serving(api);
}

TEST_CASE("a JSON body that is not an object is a 400 problem") {
  api_server api;
  auto r = api.request("POST", "/api/v1/auth/password/forgot", json_type, "[1, 2, 3]");
  CHECK(r.status == 400);
  CHECK(r.header("content-type").rfind("application/problem+json", 0) == 0);
  expect_still_serving(api);
}

TEST_CASE("an unknown route is a 404 problem") {
  api_server api;
  expect_problem(api.get("/api/v1/nothing-here"), 404, "not_found");
  expect_problem(api.get("/"), 404, "not_found");
  expect_still_serving(api);
}

TEST_CASE("a wrong method is a 405 problem listing the allowed ones") {
  api_server api;
  auto r = api.request("DELETE", "/api/v1/templates/consensus");
  expect_problem(r, 405, "method_not_allowed");
  CHECK(r.header("allow").find("GET") != std::string::npos);
  expect_still_serving(api);
}

TEST_CASE("a garbage request line is a 400 and the connection closes") {
  api_server api;
  http_client c(api.port());
  c.send_raw("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read_response();
  if (r) CHECK(r->status == 400);
  CHECK(c.closed_by_peer(std::chrono::seconds(2)));
  expect_still_serving(api);
}

TEST_CASE("a client that sends headers too slowly is cut off at the header timeout") {
  api_server api(env_vars{{"HTTP_HEADER_TIMEOUT", "1s"}});
  http_client c(api.port());
  auto started = std::chrono::steady_clock::now();
  c.send_raw("GET /health HTTP/1.1\r\n");
  bool closed = false;
  // One header byte every 200 ms: always "active", never finished.
  for (int i = 0; i < 25 && !closed; ++i) {
    try {
      c.send_raw("X");
    } catch (const std::exception&) {
      closed = true;
      break;
    }
    closed = c.closed_by_peer(std::chrono::milliseconds(200));
  }
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(closed);
  CHECK(took < std::chrono::seconds(4));
  expect_still_serving(api);
}

TEST_CASE("a request id sent by the client is echoed, a hostile one is replaced") {
  api_server api;
  auto mine = api.get("/health", {{"X-Request-Id", "abc-123"}});
  CHECK(mine.header("x-request-id") == "abc-123");
  auto hostile = api.get("/health", {{"X-Request-Id", std::string(300, 'a')}});
  CHECK(hostile.header("x-request-id").size() < 300);
  CHECK_FALSE(hostile.header("x-request-id").empty());
  auto none = api.get("/health");
  CHECK(none.header("x-request-id").size() >= 16);
  CHECK(none.header("x-request-id") != api.get("/health").header("x-request-id"));
}

TEST_CASE("a JSON body declared in a charset other than UTF-8 is refused with 415") {
  api_server api;
  // An empty object: a 422 for its missing fields shows the body was read.
  for (const char* type : {"application/json; charset=utf-16", "application/json;charset=UTF-16LE",
                           "application/json; charset=\"iso-8859-1\"", "application/json; charset=",
                           "application/json; foo=bar; Charset=latin1"}) {
    INFO(type);
    expect_problem(api.request("POST", "/api/v1/auth/login", {{"Content-Type", type}}, "{}"), 415,
                   "unsupported_media_type");
  }
  for (const char* type : {"application/json", "application/json; charset=utf-8",
                           "Application/JSON; CHARSET=\"UTF-8\"", "application/json; foo=bar"}) {
    INFO(type);
    expect_problem(api.request("POST", "/api/v1/auth/login", {{"Content-Type", type}}, "{}"), 422,
                   "validation_failed");
  }
  expect_still_serving(api);
}
