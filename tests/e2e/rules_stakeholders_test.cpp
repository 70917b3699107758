// Stakeholders and invites against the real keel-api and worker: add, remove, resend, accept,
// expiry, "my rules", and who may call each rules and stakeholder route.
#include "rules_stack.hpp"

using keel::test::expect_problem;
using keel::test::http_response;
using keel::test::names_field;
using keel::test::rules_stack;
using keel::test::rules_user;
using keel::test::str;

TEST_CASE("an invite is accepted once, by the invited verified address, and shows in my rules",
          "[rules][invites]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto bob = s.sign_in();
  auto eve = s.sign_in();
  auto id = str(s.publish(ada, "Shared", {bob.email}).at("id"));
  auto token = keel::test::link_token(keel::test::nth_mail_body(bob.email, 2));
  boost::json::object accept{{"token", token}};

  expect_problem(s.send("POST", "/api/v1/invites/accept", nullptr, &accept), 401, "unauthorized");
  expect_problem(s.send("POST", "/api/v1/invites/accept", &eve, &accept), 403,
                 "invite_wrong_account");
  // An unverified account with the invited address is refused too.
  s.db.scalar("UPDATE users SET email_verified_at = NULL WHERE id = '" + bob.id + "'");
  expect_problem(s.send("POST", "/api/v1/invites/accept", &bob, &accept), 403,
                 "invite_wrong_account");
  s.db.scalar("UPDATE users SET email_verified_at = now() WHERE id = '" + bob.id + "'");

  auto ok = s.send("POST", "/api/v1/invites/accept", &bob, &accept);
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  CHECK(str(ok.json().at("rule_id")) == id);
  expect_problem(s.send("POST", "/api/v1/invites/accept", &bob, &accept), 404, "invite_not_found");
  boost::json::object unknown{{"token", "x" + token.substr(1)}};
  expect_problem(s.send("POST", "/api/v1/invites/accept", &bob, &unknown), 404, "invite_not_found");

  CHECK(str(s.send("GET", "/api/v1/rules/" + id, &bob).json().at("viewer_role")) == "stakeholder");
  auto listed = s.send("GET", "/api/v1/rules/" + id + "/stakeholders", &ada).json();
  CHECK(str(listed.at("data").as_array()[0].at("status")) == "accepted");
  CHECK(!listed.at("data").as_array()[0].at("accepted_at").is_null());

  auto mine_bob = s.send("GET", "/api/v1/rules/me", &bob);
  REQUIRE(mine_bob.status == 200);
  auto bob_rules = mine_bob.json().at("data").as_array();
  REQUIRE(bob_rules.size() == 1);
  CHECK(str(bob_rules[0].at("id")) == id);
  CHECK(str(bob_rules[0].at("role")) == "stakeholder");
  auto ada_rules = s.send("GET", "/api/v1/rules/me", &ada).json().at("data").as_array();
  REQUIRE(ada_rules.size() == 1);
  CHECK(str(ada_rules[0].at("role")) == "owner");
  CHECK(s.send("GET", "/api/v1/rules/me", &eve).json().at("data").as_array().empty());
  expect_problem(s.send("GET", "/api/v1/rules/me", nullptr), 401, "unauthorized");
  expect_problem(s.send("GET", "/api/v1/rules/me?limit=0", &ada), 422, "validation_failed");
}

TEST_CASE("an expired invite shows expired and is refused with 410, and resend renews it",
          "[rules][invites]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto bob = s.sign_in();
  auto id = str(s.publish(ada, "Late", {bob.email}).at("id"));
  auto old_token = keel::test::link_token(keel::test::nth_mail_body(bob.email, 2));
  s.db.scalar(
      "UPDATE rule_stakeholders SET expires_at = now() - interval '1 second', last_sent_at = "
      "now() - interval '2 minutes' WHERE rule_id = '" +
      id + "'");

  auto listed = s.send("GET", "/api/v1/rules/" + id + "/stakeholders", &ada).json();
  auto sid = str(listed.at("data").as_array()[0].at("id"));
  CHECK(str(listed.at("data").as_array()[0].at("status")) == "expired");
  boost::json::object old_accept{{"token", old_token}};
  expect_problem(s.send("POST", "/api/v1/invites/accept", &bob, &old_accept), 410,
                 "invite_expired");

  auto resent = s.send("POST", "/api/v1/rules/" + id + "/stakeholders/" + sid + "/resend", &ada);
  INFO(resent.body);
  CHECK(resent.status == 202);
  // Once a minute per stakeholder.
  auto again = s.send("POST", "/api/v1/rules/" + id + "/stakeholders/" + sid + "/resend", &ada);
  expect_problem(again, 429, "rate_limited");
  CHECK(!again.header("retry-after").empty());

  CHECK(str(s.send("GET", "/api/v1/rules/" + id + "/stakeholders", &ada)
                .json()
                .at("data")
                .as_array()[0]
                .at("status")) == "pending");
  // The old link stopped working; the new one works.
  expect_problem(s.send("POST", "/api/v1/invites/accept", &bob, &old_accept), 404,
                 "invite_not_found");
  auto new_token = keel::test::link_token(keel::test::nth_mail_body(bob.email, 3));
  CHECK(new_token != old_token);
  boost::json::object accept{{"token", new_token}};
  CHECK(s.send("POST", "/api/v1/invites/accept", &bob, &accept).status == 200);

  s.db.scalar("UPDATE rule_stakeholders SET last_sent_at = now() - interval '2 minutes'");
  expect_problem(s.send("POST", "/api/v1/rules/" + id + "/stakeholders/" + sid + "/resend", &ada),
                 409, "invite_accepted");
}

TEST_CASE("adding stakeholders: 201, already invited 409, own address 422, past 30 is 409",
          "[rules][invites]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto id = str(s.publish(ada, "Growing").at("id"));
  auto target = "/api/v1/rules/" + id + "/stakeholders";
  auto add = [&](const std::string& email) {
    boost::json::object body{{"email", email}};
    return s.send("POST", target, &ada, &body);
  };

  auto first = keel::test::unique_address();
  auto added = add(first);
  INFO(added.body);
  REQUIRE(added.status == 201);
  CHECK(str(added.json().at("status")) == "pending");
  CHECK(keel::test::link_token(keel::test::nth_mail_body(first)).size() == 43);
  expect_problem(add(first), 409, "already_invited");
  auto own = add(ada.email);
  expect_problem(own, 422, "validation_failed");
  CHECK(names_field(own, "email"));
  expect_problem(add("not an address"), 422, "validation_failed");

  for (int i = 1; i < 30; ++i) REQUIRE(add(keel::test::unique_address()).status == 201);
  expect_problem(add(keel::test::unique_address()), 409, "stakeholder_limit");

  auto sid = str(added.json().at("id"));
  CHECK(s.send("DELETE", target + "/" + sid, &ada).status == 204);
  expect_problem(s.send("DELETE", target + "/" + sid, &ada), 404, "stakeholder_not_found");
  CHECK(add(keel::test::unique_address()).status == 201);
}

TEST_CASE("authorization matrix of the rules and stakeholder routes", "[rules][authz]") {
  rules_stack s;
  auto owner = s.sign_in();
  auto holder = s.sign_in();
  auto other = s.sign_in();
  auto admin = s.sign_in_admin();
  auto id = str(s.publish(owner, "Guarded", {holder.email}).at("id"));
  auto token = keel::test::link_token(keel::test::nth_mail_body(holder.email, 2));
  boost::json::object accept{{"token", token}};
  REQUIRE(s.send("POST", "/api/v1/invites/accept", &holder, &accept).status == 200);
  auto sid = str(s.send("GET", "/api/v1/rules/" + id + "/stakeholders", &owner)
                     .json()
                     .at("data")
                     .as_array()[0]
                     .at("id"));
  auto base = "/api/v1/rules/" + id;
  boost::json::object patch{{"title", "Guarded, changed"}};
  boost::json::object invite{{"email", keel::test::unique_address()}};

  struct call {
    std::string method;
    std::string target;
    const boost::json::object* body;
    int owner_status;
    std::string refused_code;  // what a signed-in non-owner gets
    int refused_status;
  };
  // Run by non-owners first: nothing they try may change anything.
  std::vector<call> calls = {
      {"PATCH", base, &patch, 200, "not_rule_owner", 403},
      {"POST", base + "/duplicate", nullptr, 201, "not_rule_owner", 403},
      {"GET", base + "/stakeholders", nullptr, 200, "rule_not_found", 404},
      {"POST", base + "/stakeholders", &invite, 201, "rule_not_found", 404},
      {"POST", base + "/stakeholders/" + sid + "/resend", nullptr, 409, "rule_not_found", 404},
      {"DELETE", base + "/stakeholders/" + sid, nullptr, 204, "rule_not_found", 404},
      {"DELETE", base, nullptr, 204, "not_rule_owner", 403},
  };
  for (const auto& c : calls) {
    INFO(c.method << " " << c.target);
    expect_problem(s.send(c.method, c.target, nullptr, c.body), 401, "unauthorized");
    for (const rules_user* who : {&other, &holder, &admin}) {
      INFO(who->email);
      expect_problem(s.send(c.method, c.target, who, c.body), c.refused_status, c.refused_code);
    }
  }
  // Reads stay public; every refused write left the rule as it was.
  for (const rules_user* who : {&other, &holder, &admin}) {
    CHECK(s.send("GET", base, who).status == 200);
  }
  CHECK(s.send("GET", base, nullptr).status == 200);
  CHECK(str(s.send("GET", base, nullptr).json().at("title")) == "Guarded");
  CHECK(s.count("SELECT count(*) FROM rules") == "1");
  CHECK(s.count("SELECT count(*) FROM rule_stakeholders") == "1");

  for (const auto& c : calls) {
    INFO(c.method << " " << c.target);
    auto r = s.send(c.method, c.target, &owner, c.body);
    INFO(r.body);
    CHECK(r.status == c.owner_status);
  }
  expect_problem(s.send("GET", base, nullptr), 404, "rule_not_found");
}
