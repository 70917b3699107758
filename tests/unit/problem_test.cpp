// problem+json: each error kind maps to its status and the body carries the RFC 9457 fields.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <stdexcept>

#include "core/http/problem.hpp"

using keel::error_kind;
using keel::http::problem_response;

namespace {

boost::json::object body_of(const keel::http::response& r) {
  return boost::json::parse(r.body).as_object();
}

}  // namespace

TEST_CASE("each error kind maps to its HTTP status") {
  struct row {
    error_kind kind;
    int status;
  };
  for (auto [kind, status] :
       {row{error_kind::bad_request, 400}, row{error_kind::unauthorized, 401},
        row{error_kind::forbidden, 403}, row{error_kind::not_found, 404},
        row{error_kind::method_not_allowed, 405}, row{error_kind::conflict, 409},
        row{error_kind::payload_too_large, 413}, row{error_kind::unsupported_media_type, 415},
        row{error_kind::validation_failed, 422}, row{error_kind::too_many_requests, 429},
        row{error_kind::unavailable, 503}, row{error_kind::internal, 500}}) {
    CHECK(keel::http::status_for(kind) == status);
    auto r = problem_response(keel::error(kind, "some_code", "Some detail."), "rid-1");
    CHECK(r.status == status);
    CHECK(r.content_type == "application/problem+json");
    auto body = body_of(r);
    CHECK(body.at("status").as_int64() == status);
  }
}

TEST_CASE("a problem body carries type, title, status, detail, code and request id") {
  auto r = problem_response(keel::not_found("No template named welcome."), "req-42");
  CHECK(r.status == 404);
  auto body = body_of(r);
  CHECK(body.at("type").as_string() == "https://keel.dev/problems/not_found");
  CHECK(body.at("title").as_string() == "Not Found");
  CHECK(body.at("status").as_int64() == 404);
  CHECK(body.at("detail").as_string() == "No template named welcome.");
  CHECK(body.at("code").as_string() == "not_found");
  CHECK(body.at("request_id").as_string() == "req-42");
  CHECK_FALSE(body.contains("errors"));
}

TEST_CASE("a validation problem lists every field error") {
  auto r = problem_response(
      keel::validation_failed({{"email", "must be an email"}, {"name", "must not be empty"}}), "r");
  CHECK(r.status == 422);
  auto body = body_of(r);
  auto& errors = body.at("errors").as_array();
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].at("field").as_string() == "email");
  CHECK(errors[0].at("message").as_string() == "must be an email");
  CHECK(errors[1].at("field").as_string() == "name");
}

TEST_CASE("a 429 problem tells the client when to retry") {
  auto r = problem_response(keel::too_many_requests(30), "r");
  CHECK(r.status == 429);
  REQUIRE(r.find_header("Retry-After") != nullptr);
  CHECK(*r.find_header("retry-after") == "30");
  CHECK(body_of(r).at("code").as_string() == "rate_limited");
}

TEST_CASE("a 503 tells the client when to retry only when the thrower knows") {
  auto busy = problem_response(keel::unavailable("Busy.", "busy", 1), "r");
  CHECK(busy.status == 503);
  REQUIRE(busy.find_header("Retry-After") != nullptr);
  CHECK(*busy.find_header("retry-after") == "1");
  auto down = problem_response(keel::unavailable("The database is unavailable."), "r");
  CHECK(down.status == 503);
  CHECK(down.find_header("Retry-After") == nullptr);
}

TEST_CASE("an unknown exception becomes a 500 that hides its message") {
  std::runtime_error boom("password=hunter2 at db.cpp:42");
  auto r = problem_response(boom, "req-7");
  CHECK(r.status == 500);
  CHECK(r.body.find("hunter2") == std::string::npos);
  CHECK(r.body.find("db.cpp") == std::string::npos);
  auto body = body_of(r);
  CHECK(body.at("code").as_string() == "internal");
  CHECK(body.at("title").as_string() == "Internal Server Error");
  CHECK(body.at("request_id").as_string() == "req-7");
}

TEST_CASE("an internal typed error hides its detail too") {
  auto r =
      problem_response(keel::error(error_kind::internal, "pool_broken", "secret internals"), "r");
  CHECK(r.status == 500);
  CHECK(r.body.find("secret internals") == std::string::npos);
}

TEST_CASE("a typed error caught as std::exception keeps its status") {
  keel::conflict c("Email taken.", "email_taken");
  const std::exception& e = c;
  auto r = problem_response(e, "r");
  CHECK(r.status == 409);
  CHECK(body_of(r).at("code").as_string() == "email_taken");
}

TEST_CASE("request ids and details are JSON-escaped") {
  auto r = problem_response(keel::bad_request("bad \"quote\"\n"), "id\"x");
  auto body = body_of(r);
  CHECK(body.at("detail").as_string() == "bad \"quote\"\n");
  CHECK(body.at("request_id").as_string() == "id\"x");
}
