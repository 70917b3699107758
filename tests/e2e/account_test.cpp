// The account itself end to end: deleting it (after a recent sign-in) and moving it to another
// address through a link mailed there.
#include <catch2/catch.hpp>

#include "rules_stack.hpp"

using keel::test::bearer;
using keel::test::expect_problem;
using keel::test::rules_stack;
using keel::test::rules_user;
using keel::test::str;

namespace {

const std::string password = "correct horse battery";

// A user with a password and a verified address (so that they may publish rules).
rules_user password_user(rules_stack& s) {
  rules_user u{.email = keel::test::unique_address(), .token = {}, .id = {}};
  auto reg = s.register_user(u.email, password);
  u.token = str(reg.at("access_token"));
  u.id = str(reg.at("user").at("id"));
  auto token = keel::test::link_token(keel::test::nth_mail_body(u.email, 1));
  REQUIRE(s.post("/api/v1/auth/email/verify", {{"token", token}}).status == 200);
  return u;
}

std::string audit_count(rules_stack& s, const std::string& action, const std::string& user_id) {
  return s.count("SELECT count(*) FROM audit_log WHERE action = '" + action + "' AND user_id = '" +
                 user_id + "'");
}

}  // namespace

TEST_CASE("deleting the account right after signing in removes it and keeps its rules ownerless",
          "[auth][account]") {
  rules_stack s;
  auto ada = password_user(s);
  auto rule = s.publish(ada, "Garden club rules");
  std::string rule_id = str(rule.at("id"));
  boost::json::object draft{
      {"payload", boost::json::object{{"community", boost::json::object{{"name", "Choir"}}}}}};
  REQUIRE(s.send("PUT", "/api/v1/drafts/me", &ada, &draft).status == 200);
  // An upload row of the account (the bucket is not needed for its deletion to be queued).
  s.db.scalar(
      "INSERT INTO uploads (owner_id, purpose, content_type, byte_length, file_name, object_key) "
      "VALUES ('" +
      ada.id + "', 'method_attachment', 'application/pdf', 10, 'a.pdf', 'uploads/" + ada.id +
      "/a.pdf')");

  auto deleted = s.send("DELETE", "/api/v1/auth/me", &ada);
  INFO(deleted.body);
  REQUIRE(deleted.status == 204);

  expect_problem(s.me(ada.token), 401, "invalid_token");
  expect_problem(s.post("/api/v1/auth/login", {{"email", ada.email}, {"password", password}}), 401,
                 "invalid_credentials");
  CHECK(s.api.get("/api/v1/rules/" + rule_id).status == 200);
  CHECK(s.count("SELECT owner_id IS NULL FROM rules WHERE id = '" + rule_id + "'") == "t");
  CHECK(s.count("SELECT count(*) FROM rule_drafts WHERE user_id = '" + ada.id + "'") == "0");
  CHECK(s.count("SELECT count(*) FROM users WHERE id = '" + ada.id + "'") == "0");
  CHECK(s.count("SELECT count(*) FROM auth_sessions WHERE user_id = '" + ada.id + "'") == "0");
  CHECK(s.count("SELECT status || ' ' || (owner_id IS NULL) FROM uploads WHERE object_key = "
                "'uploads/" +
                ada.id + "/a.pdf'") == "deleted true");
  CHECK(audit_count(s, "auth.account_deleted", ada.id) == "1");
}

TEST_CASE("deleting the account after a stale sign-in asks to sign in again", "[auth][account]") {
  rules_stack s;
  auto bob = s.sign_in();
  s.db.scalar(
      "UPDATE auth_sessions SET created_at = now() - interval '11 minutes' WHERE user_id = '" +
      bob.id + "'");
  expect_problem(s.send("DELETE", "/api/v1/auth/me", &bob), 403, "reauthentication_required");
  CHECK(s.me(bob.token).status == 200);
  CHECK(audit_count(s, "auth.account_deleted", bob.id) == "0");
  // A fresh sign-in is enough.
  auto again = s.sign_in_as(bob.email);
  CHECK(s.send("DELETE", "/api/v1/auth/me", &again).status == 204);
}

TEST_CASE("a refresh is no sign-in: a stale session still may not delete the account",
          "[auth][account]") {
  rules_stack s;
  auto email = keel::test::unique_address();
  auto reg = s.register_user(email, password);
  std::string id = str(reg.at("user").at("id"));
  s.db.scalar(
      "UPDATE auth_sessions SET created_at = now() - interval '11 minutes' WHERE user_id = '" + id +
      "'");
  auto refreshed =
      s.post("/api/v1/auth/refresh", {{"refresh_token", str(reg.at("refresh_token"))}});
  REQUIRE(refreshed.status == 200);
  auto token = str(refreshed.json().at("access_token"));
  expect_problem(s.api.request("DELETE", "/api/v1/auth/me", bearer(token)), 403,
                 "reauthentication_required");
  // A password sign-in is.
  auto fresh = s.login(email, password);
  CHECK(s.api.request("DELETE", "/api/v1/auth/me", bearer(str(fresh.at("access_token")))).status ==
        204);
  expect_problem(s.me(token), 401, "invalid_token");
}

TEST_CASE("an email change is confirmed by the link mailed to the new address", "[auth][account]") {
  rules_stack s;
  auto ada = password_user(s);
  auto other = s.login(ada.email, password);
  auto new_email = keel::test::unique_address();

  auto asked = s.post("/api/v1/auth/email/change", {{"new_email", new_email}}, bearer(ada.token));
  INFO(asked.body);
  REQUIRE(asked.status == 202);
  auto mail = keel::test::nth_mail_body(new_email, 1);
  auto token = keel::test::link_token(mail);
  // Nothing changes before the link is opened.
  CHECK(str(s.me(ada.token).json().at("email")) == ada.email);

  auto confirmed = s.post("/api/v1/auth/email/change/confirm", {{"token", token}});
  INFO(confirmed.body);
  REQUIRE(confirmed.status == 200);
  CHECK(str(confirmed.json().at("email")) == new_email);
  CHECK(confirmed.json().at("email_verified").as_bool());

  // Every session ended; the password now goes with the new address.
  expect_problem(s.me(ada.token), 401, "invalid_token");
  expect_problem(s.me(str(other.at("access_token"))), 401, "invalid_token");
  auto back = s.login(new_email, password);
  CHECK(str(back.at("user").at("id")) == ada.id);
  expect_problem(s.post("/api/v1/auth/login", {{"email", ada.email}, {"password", password}}), 401,
                 "invalid_credentials");

  // The old address is told (mail 1 was its verification link).
  auto notice = keel::test::nth_mail_body(ada.email, 2);
  CHECK(notice.find("was changed") != std::string::npos);
  CHECK(notice.find("token=") == std::string::npos);

  expect_problem(s.post("/api/v1/auth/email/change/confirm", {{"token", token}}), 410,
                 "link_expired");
  expect_problem(s.post("/api/v1/auth/email/change/confirm", {{"token", "not-a-real-token"}}), 404,
                 "invalid_link");
  CHECK(audit_count(s, "auth.email_change_requested", ada.id) == "1");
  CHECK(audit_count(s, "auth.email_changed", ada.id) == "1");
}

TEST_CASE("an email change to a taken or the current address is refused", "[auth][account]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto bob = s.sign_in();
  expect_problem(s.post("/api/v1/auth/email/change", {{"new_email", bob.email}}, bearer(ada.token)),
                 409, "email_taken");
  expect_problem(s.post("/api/v1/auth/email/change", {{"new_email", ada.email}}, bearer(ada.token)),
                 422, "validation_failed");
  expect_problem(s.post("/api/v1/auth/email/change", {{"new_email", "nope"}}, bearer(ada.token)),
                 422, "validation_failed");
  expect_problem(s.post("/api/v1/auth/email/change", {{"new_email", keel::test::unique_address()}}),
                 401, "unauthorized");

  // Taken between the request and the link.
  auto wanted = keel::test::unique_address();
  REQUIRE(s.post("/api/v1/auth/email/change", {{"new_email", wanted}}, bearer(ada.token)).status ==
          202);
  auto token = keel::test::link_token(keel::test::nth_mail_body(wanted, 1));
  s.register_user(wanted);
  expect_problem(s.post("/api/v1/auth/email/change/confirm", {{"token", token}}), 409,
                 "email_taken");
  CHECK(str(s.me(ada.token).json().at("email")) == ada.email);
}

TEST_CASE("only the newest email change link works", "[auth][account]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto first = keel::test::unique_address();
  auto second = keel::test::unique_address();
  REQUIRE(s.post("/api/v1/auth/email/change", {{"new_email", first}}, bearer(ada.token)).status ==
          202);
  REQUIRE(s.post("/api/v1/auth/email/change", {{"new_email", second}}, bearer(ada.token)).status ==
          202);
  auto stale = keel::test::link_token(keel::test::nth_mail_body(first, 1));
  auto fresh = keel::test::link_token(keel::test::nth_mail_body(second, 1));
  expect_problem(s.post("/api/v1/auth/email/change/confirm", {{"token", stale}}), 410,
                 "link_expired");
  CHECK(s.post("/api/v1/auth/email/change/confirm", {{"token", fresh}}).status == 200);
}

TEST_CASE("email change requests are limited per user", "[auth][account]") {
  rules_stack s;
  auto ada = s.sign_in();
  for (int i = 0; i < 5; ++i) {
    auto r = s.post("/api/v1/auth/email/change", {{"new_email", keel::test::unique_address()}},
                    bearer(ada.token));
    INFO(r.body);
    REQUIRE(r.status == 202);
  }
  auto refused = s.post("/api/v1/auth/email/change", {{"new_email", keel::test::unique_address()}},
                        bearer(ada.token));
  expect_problem(refused, 429, "rate_limited");
  // Another user is counted on their own.
  auto bob = s.sign_in();
  CHECK(s.post("/api/v1/auth/email/change", {{"new_email", keel::test::unique_address()}},
               bearer(bob.token))
            .status == 202);
}

TEST_CASE("/openapi.json documents account deletion and email change with their security",
          "[auth][account]") {
  rules_stack s;
  auto doc = s.api.get("/openapi.json").json();
  boost::json::array none;
  boost::json::array bearer_only{boost::json::object{{"bearer", boost::json::array{}}}};
  auto op = [&](const char* path, const char* verb) -> const boost::json::object& {
    return doc.at("paths").at(path).at(verb).as_object();
  };
  const auto& remove = op("/api/v1/auth/me", "delete");
  CHECK(remove.at("security") == bearer_only);
  CHECK(remove.at("responses").as_object().contains("204"));
  CHECK(remove.at("responses").as_object().contains("403"));
  const auto& change = op("/api/v1/auth/email/change", "post");
  CHECK(change.at("security") == bearer_only);
  CHECK(change.at("responses").as_object().contains("409"));
  CHECK(change.at("responses").as_object().contains("429"));
  CHECK(change.contains("requestBody"));
  const auto& confirm = op("/api/v1/auth/email/change/confirm", "post");
  CHECK(confirm.at("security") == none);
  for (const char* status : {"200", "404", "409", "410"}) {
    CHECK(confirm.at("responses").as_object().contains(status));
  }
}
