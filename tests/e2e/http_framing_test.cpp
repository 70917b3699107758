// Request framing: a request whose length or Host could be read two ways is refused with 400
// (or 501 for a coding keel does not decode) and the connection closes, so bytes after it are
// never run as a second request (the request smuggling shapes of RFC 9112 §6.3 and §11.2).
#include <catch2/catch.hpp>
#include <string>

#include "../support/api_server.hpp"
#include "expect_problem.hpp"

using namespace keel::test;

namespace {

// A request carrying `headers` and a body that is itself a whole second request: if the server
// read the body as empty, it would answer that request too.
std::string smuggling(std::string_view request_line, std::string_view headers) {
  std::string hidden = "GET /api/v1/does-not-exist HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string out(request_line);
  out.append("\r\n").append(headers).append("\r\n");
  out.append(hidden);
  return out;
}

// Sends `raw` on a fresh connection and expects exactly one problem answer, then a close.
void expect_refused_and_closed(api_server& api, const std::string& raw, int status,
                               const std::string& code) {
  INFO(raw);
  http_client c(api.port());
  c.send_raw(raw);
  auto r = c.read_response();
  REQUIRE(r.has_value());
  expect_problem(*r, status, code);
  CHECK(r->header("connection") == "close");
  CHECK(c.closed_by_peer(std::chrono::seconds(3)));
}

}  // namespace

TEST_CASE("a Transfer-Encoding whose last coding is not chunked is a 400 and closes") {
  api_server api;
  for (const char* te : {"chunked, identity", "gzip", "identity", "xchunked", "chunked;q=1"}) {
    auto raw = smuggling("POST /api/v1/auth/login HTTP/1.1",
                         std::string("Host: x\r\nContent-Type: application/json\r\n") +
                             "Transfer-Encoding: " + te + "\r\n");
    expect_refused_and_closed(api, raw, 400, "bad_transfer_encoding");
  }
  CHECK(api.get("/health").status == 200);
}

TEST_CASE("chunked twice, in one line or across two, is a 400") {
  api_server api;
  // Beast's parser refuses these itself (malformed_request); framing.cpp would too.
  for (const char* te : {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                         "Transfer-Encoding: chunked, chunked\r\n"}) {
    auto raw = smuggling("POST /api/v1/auth/login HTTP/1.1", std::string("Host: x\r\n") + te);
    http_client c(api.port());
    c.send_raw(raw);
    auto r = c.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
    CHECK(c.closed_by_peer(std::chrono::seconds(3)));
  }
}

TEST_CASE("a coding other than chunked before chunked is a 501 and closes") {
  api_server api;
  auto raw = smuggling("POST /api/v1/auth/login HTTP/1.1",
                       "Host: x\r\nTransfer-Encoding: gzip, chunked\r\n");
  expect_refused_and_closed(api, raw, 501, "unsupported_transfer_coding");
}

TEST_CASE("Transfer-Encoding with Content-Length is refused, whichever comes first") {
  api_server api;
  expect_refused_and_closed(
      api,
      smuggling("POST /api/v1/auth/login HTTP/1.1",
                "Host: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n"),
      400, "malformed_request");
  expect_refused_and_closed(
      api,
      smuggling("POST /api/v1/auth/login HTTP/1.1",
                "Host: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n"),
      400, "malformed_request");
}

TEST_CASE("Transfer-Encoding on HTTP/1.0 is a 400 and closes") {
  api_server api;
  auto raw = smuggling("POST /api/v1/auth/login HTTP/1.0", "Transfer-Encoding: chunked\r\n");
  expect_refused_and_closed(api, raw, 400, "bad_transfer_encoding");
}

TEST_CASE("two differing Content-Lengths, bad chunk sizes and obs-fold are 400s that close") {
  api_server api;
  expect_refused_and_closed(api,
                            smuggling("POST /api/v1/auth/login HTTP/1.1",
                                      "Host: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n"),
                            400, "malformed_request");
  expect_refused_and_closed(api,
                            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "zz\r\n{}\r\n0\r\n\r\n",
                            400, "malformed_request");
  expect_refused_and_closed(api,
                            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "-2\r\n{}\r\n0\r\n\r\n",
                            400, "malformed_request");
  expect_refused_and_closed(api, "GET /health HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
                            400, "malformed_request");
}

TEST_CASE("an HTTP/1.1 request without Host, or with two, is a 400") {
  api_server api;
  expect_refused_and_closed(api, "GET /health HTTP/1.1\r\n\r\n", 400, "bad_host");
  expect_refused_and_closed(api, "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
                            "bad_host");
  expect_refused_and_closed(api, "GET /health HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "bad_host");
  // HTTP/1.0 predates Host: a request without one is served.
  http_client c(api.port());
  c.send_raw("GET /health HTTP/1.0\r\n\r\n");
  auto r = c.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
}

TEST_CASE("a well-formed chunked body is read and reaches the route") {
  api_server api;
  http_client c(api.port());
  std::string body = R"({"email": "not-an-address", "password": ""})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  c.send_raw(std::string("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n") +
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size +
             "\r\n" + body + "\r\n0\r\n\r\n");
  auto r = c.read_response();
  REQUIRE(r.has_value());
  // The body was decoded: the route's validation answers, naming the field.
  expect_problem(*r, 422, "validation_failed");
  // The connection stays usable for the next request.
  auto next = c.get("/health");
  CHECK(next.status == 200);
}
