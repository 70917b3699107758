// Checks that a response is an RFC 9457 problem with the given status and code.
#pragma once
#include <catch2/catch.hpp>

#include "../support/http_client.hpp"

namespace keel::test {

inline void expect_problem(const http_response& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.header("content-type").rfind("application/problem+json", 0) == 0);
  auto body = r.json().as_object();
  CHECK(body.at("status").as_int64() == status);
  CHECK(body.at("code").as_string() == code);
  CHECK(body.contains("type"));
  CHECK(body.contains("title"));
  CHECK(body.contains("detail"));
  CHECK(body.at("request_id").as_string() == r.header("x-request-id"));
}

}  // namespace keel::test
