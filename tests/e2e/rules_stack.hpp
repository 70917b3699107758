// What the rules end-to-end tests share: a real keel-api and keel-worker (invite mail reaches
// the SMTP sink), users signed in with an emailed code (so their address is verified), and
// small request helpers for drafts, rules and stakeholders.
#pragma once
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "auth_stack.hpp"
#include "expect_problem.hpp"

namespace keel::test {

struct rules_user {
  std::string email;
  std::string token;
  std::string id;
};

struct rules_stack : auth_stack {
  sql_client db{api.database_url()};

  explicit rules_stack(env_vars env = {}) : auth_stack(std::move(env)) {}

  // A new user signed in through an emailed code: the address is verified.
  rules_user sign_in() { return sign_in_as(unique_address()); }

  // `email` signed in (again) through an emailed code: a new session.
  rules_user sign_in_as(const std::string& email) {
    rules_user u{.email = email, .token = {}, .id = {}};
    std::size_t mails = received_for(u.email).size();
    REQUIRE(post("/api/v1/auth/otp/request", {{"email", u.email}}).status == 202);
    auto code = otp_code(nth_mail_body(u.email, mails + 1));
    auto r = post("/api/v1/auth/otp/verify", {{"email", u.email}, {"code", code}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    u.token = str(r.json().at("access_token"));
    u.id = str(r.json().at("user").at("id"));
    return u;
  }

  // The same user made an admin (the role counts at once for tokens already issued).
  rules_user sign_in_admin() {
    auto u = sign_in();
    db.scalar("UPDATE users SET role = 'admin' WHERE id = '" + u.id + "'");
    return u;
  }

  http_response send(std::string_view method, std::string_view target, const rules_user* who,
                     const boost::json::object* body = nullptr, header_list headers = {}) {
    if (who) headers.emplace_back("Authorization", "Bearer " + who->token);
    if (!body) return api.request(method, target, headers);
    headers.insert(headers.end(), json_headers.begin(), json_headers.end());
    return api.request(method, target, headers, json_body(*body));
  }

  static boost::json::object document(const std::string& text = "Decisions by lazy consensus") {
    return {{"sections", boost::json::array{boost::json::object{
                             {"category_name", "Decision-making"},
                             {"entries", boost::json::array{boost::json::object{
                                             {"title", "Lazy consensus"}, {"body", text}}}}}}}};
  }

  // Publishes a rule as `owner` inviting `emails`; returns its body.
  boost::json::object publish(const rules_user& owner, const std::string& title,
                              boost::json::array emails = {},
                              const std::string& text = "Decisions by lazy consensus") {
    boost::json::object body{{"title", title},
                             {"summary", "How we decide"},
                             {"document", document(text)},
                             {"stakeholder_emails", std::move(emails)}};
    auto r = send("POST", "/api/v1/rules", &owner, &body);
    INFO(r.body);
    REQUIRE(r.status == 201);
    auto rule = r.json().as_object();
    CHECK(r.header("location") == "/api/v1/rules/" + str(rule.at("id")));
    return rule;
  }

  std::string count(const std::string& sql) { return db.scalar(sql); }
};

// Whether a 422's errors name `field`.
inline bool names_field(const http_response& r, const std::string& field) {
  auto body = r.json().as_object();
  for (auto& e : body.at("errors").as_array()) {
    if (str(e.at("field")) == field) return true;
  }
  return false;
}

}  // namespace keel::test
