// Auth end to end, emailed codes and links: OTP sign-in, resend, forgot and reset password.
#include <catch2/catch.hpp>

#include "auth_stack.hpp"
#include "expect_problem.hpp"

using namespace std::chrono_literals;
using keel::test::auth_stack;
using keel::test::bearer;
using keel::test::expect_problem;
using keel::test::str;

TEST_CASE("an emailed code signs in and creates a verified account on first use", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  auto asked = s.post("/api/v1/auth/otp/request", {{"email", email}});
  CHECK(asked.status == 202);
  auto code = keel::test::otp_code(keel::test::nth_mail_body(email));
  auto r = s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", code}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto user = r.json().at("user").as_object();
  CHECK(str(user.at("email")) == email);
  CHECK(user.at("email_verified").as_bool());
  CHECK(s.me(str(r.json().at("access_token"))).status == 200);
  // Used once.
  expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", code}}), 401,
                 "invalid_code");
}

TEST_CASE("a sixth try at a code fails even with the right code", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  REQUIRE(s.post("/api/v1/auth/otp/request", {{"email", email}}).status == 202);
  auto code = keel::test::otp_code(keel::test::nth_mail_body(email));
  std::string wrong = code == "000000" ? "000001" : "000000";
  for (int i = 0; i < 5; ++i) {
    expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", wrong}}), 401,
                   "invalid_code");
  }
  expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", code}}), 401,
                 "invalid_code");
}

TEST_CASE("a new code request replaces the previous code", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  REQUIRE(s.post("/api/v1/auth/otp/request", {{"email", email}}).status == 202);
  auto first = keel::test::otp_code(keel::test::nth_mail_body(email, 1));
  REQUIRE(s.post("/api/v1/auth/otp/request", {{"email", email}}).status == 202);
  auto second = keel::test::otp_code(keel::test::nth_mail_body(email, 2));
  if (first != second) {
    expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", first}}), 401,
                   "invalid_code");
  }
  CHECK(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", second}}).status == 200);
}

TEST_CASE("a malformed code is a 422, not a spent try", "[auth]") {
  auth_stack s;
  auto r = s.post("/api/v1/auth/otp/verify",
                  {{"email", keel::test::unique_address()}, {"code", "12ab"}});
  expect_problem(r, 422, "validation_failed");
}

TEST_CASE("forgot and reset password: the emailed link sets a new password and ends old sessions",
          "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  auto old = s.register_user(email);
  auto other = s.login(email);
  CHECK(s.post("/api/v1/auth/password/forgot", {{"email", email}}).status == 202);
  // Mail 1 is the verification link, mail 2 the reset link.
  auto body = keel::test::nth_mail_body(email, 2);
  CHECK(body.find("reset") != std::string::npos);
  auto token = keel::test::link_token(body);
  auto reset =
      s.post("/api/v1/auth/password/reset", {{"token", token}, {"password", "brand new secret"}});
  INFO(reset.body);
  CHECK(reset.status == 204);
  expect_problem(s.me(str(old.at("access_token"))), 401, "invalid_token");
  expect_problem(s.me(str(other.at("access_token"))), 401, "invalid_token");
  expect_problem(
      s.post("/api/v1/auth/refresh", {{"refresh_token", str(other.at("refresh_token"))}}), 401,
      "invalid_refresh_token");
  s.login(email, "brand new secret");
  expect_problem(
      s.post("/api/v1/auth/password/reset", {{"token", token}, {"password", "and another one"}}),
      400, "invalid_link");
}

TEST_CASE("forgot password for an unknown address answers 202 and sends nothing", "[auth]") {
  auth_stack s;
  auto known = keel::test::unique_address();
  auto unknown = keel::test::unique_address();
  s.register_user(known);
  CHECK(s.post("/api/v1/auth/password/forgot", {{"email", unknown}}).status == 202);
  CHECK(s.post("/api/v1/auth/password/forgot", {{"email", known}}).status == 202);
  // The known address gets its reset mail; by then the unknown one would have had its own.
  REQUIRE(keel::test::wait_for_mail(known, 2).size() == 2);
  CHECK(keel::test::received_for(unknown).empty());
}

TEST_CASE("resend mails a fresh verification link", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  auto reg = s.register_user(email);
  auto r = s.api.request("POST", "/api/v1/auth/email/resend", bearer(str(reg.at("access_token"))));
  CHECK(r.status == 202);
  auto second = keel::test::link_token(keel::test::nth_mail_body(email, 2));
  CHECK(s.post("/api/v1/auth/email/verify", {{"token", second}}).status == 200);
}
