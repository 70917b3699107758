// Admin API end to end: refused to anonymous clients and users, working for admins (made with
// keel-cron users.promote); jobs, users and the audit log; auth.purge.
#include <catch2/catch.hpp>
#include <thread>

#include "auth_stack.hpp"
#include "expect_problem.hpp"

using namespace std::chrono_literals;
using keel::test::auth_stack;
using keel::test::bearer;
using keel::test::expect_problem;
using keel::test::promote;
using keel::test::str;

namespace {

// An admin's access token, and a plain user's.
struct admin_and_user {
  auth_stack s;
  std::string admin_email = keel::test::unique_address();
  std::string user_email = keel::test::unique_address();
  std::string admin;
  std::string user;
  std::string user_id;

  admin_and_user() {
    admin = str(s.register_user(admin_email).at("access_token"));
    auto u = s.register_user(user_email);
    user = str(u.at("access_token"));
    user_id = str(u.at("user").at("id"));
    REQUIRE(promote(s.api.database_url(), admin_email) == 0);
  }
};

}  // namespace

TEST_CASE("admin routes answer 401 without a token and 403 to a user", "[admin]") {
  admin_and_user t;
  for (auto target : {"/api/v1/admin/jobs", "/api/v1/admin/jobs/stats", "/api/v1/admin/audit",
                      "/api/v1/admin/users"}) {
    INFO(target);
    expect_problem(t.s.api.get(target), 401, "unauthorized");
    expect_problem(t.s.api.get(target, bearer(t.user)), 403, "admin_required");
    CHECK(t.s.api.get(target, bearer(t.admin)).status == 200);
  }
  // The promotion counts at once: the token issued before it now carries admin rights.
  auto me = t.s.me(t.admin);
  CHECK(str(me.json().at("role")) == "admin");
}

TEST_CASE("users.promote exits 1 for an unknown address", "[admin]") {
  auth_stack s;
  CHECK(promote(s.api.database_url(), keel::test::unique_address()) == 1);
}

TEST_CASE("an admin lists, inspects, cancels, retries and deletes jobs", "[admin]") {
  admin_and_user t;
  t.s.worker.reset();  // nothing runs jobs from here on, so a new one stays waiting
  auto someone = keel::test::unique_address();
  REQUIRE(t.s.post("/api/v1/auth/otp/request", {{"email", someone}}).status == 202);

  auto list = t.s.api.get("/api/v1/admin/jobs?kind=email.send&state=available", bearer(t.admin));
  INFO(list.body);
  REQUIRE(list.status == 200);
  auto data = list.json().at("data").as_array();
  REQUIRE(data.size() == 1);
  auto id = str(data[0].at("id"));
  auto base = "/api/v1/admin/jobs/" + id;

  CHECK(str(t.s.api.get(base, bearer(t.admin)).json().at("kind")) == "email.send");
  auto stats = t.s.api.get("/api/v1/admin/jobs/stats", bearer(t.admin));
  REQUIRE(stats.status == 200);
  CHECK(!stats.json().at("counts").as_array().empty());

  auto cancelled = t.s.api.request("POST", base + "/cancel", bearer(t.admin));
  REQUIRE(cancelled.status == 200);
  CHECK(str(cancelled.json().at("state")) == "cancelled");
  expect_problem(t.s.api.request("POST", base + "/cancel", bearer(t.admin)), 409, "job_finished");
  auto retried = t.s.api.request("POST", base + "/retry", bearer(t.admin));
  REQUIRE(retried.status == 200);
  CHECK(str(retried.json().at("state")) == "available");
  CHECK(t.s.api.request("DELETE", base, bearer(t.admin)).status == 204);
  expect_problem(t.s.api.get(base, bearer(t.admin)), 404, "job_not_found");
  expect_problem(t.s.api.get("/api/v1/admin/jobs/not-a-uuid", bearer(t.admin)), 422,
                 "validation_failed");
}

TEST_CASE("an admin disables a user, which ends their sessions, and sees it in the audit log",
          "[admin]") {
  admin_and_user t;
  auto users = t.s.api.get("/api/v1/admin/users", bearer(t.admin));
  REQUIRE(users.status == 200);
  CHECK(users.json().at("data").as_array().size() == 2);

  auto patch = [&](const std::string& id, const boost::json::object& body) {
    return t.s.api.request(
        "PATCH", "/api/v1/admin/users/" + id,
        {{"Authorization", "Bearer " + t.admin}, {"Content-Type", "application/json"}},
        keel::test::json_body(body));
  };
  auto disabled = patch(t.user_id, {{"disabled", true}});
  INFO(disabled.body);
  REQUIRE(disabled.status == 200);
  CHECK(disabled.json().at("disabled").as_bool());
  expect_problem(t.s.me(t.user), 401, "invalid_token");
  // The right password answers as a wrong one would: nothing tells the account apart.
  expect_problem(t.s.post("/api/v1/auth/login",
                          {{"email", t.user_email}, {"password", "correct horse battery"}}),
                 401, "invalid_credentials");
  expect_problem(patch(t.user_id, {{"role", "root"}}), 422, "validation_failed");

  // An admin cannot lock themselves out.
  auto admin_id = str(t.s.me(t.admin).json().at("id"));
  expect_problem(patch(admin_id, {{"role", "user"}}), 409, "self_lockout");

  auto audit = t.s.api.get("/api/v1/admin/audit?user_id=" + t.user_id, bearer(t.admin));
  REQUIRE(audit.status == 200);
  std::vector<std::string> actions;
  auto json = audit.json();
  for (const auto& e : json.at("data").as_array()) actions.push_back(str(e.at("action")));
  INFO(audit.body);
  CHECK(std::find(actions.begin(), actions.end(), "auth.register") != actions.end());
  CHECK(std::find(actions.begin(), actions.end(), "admin.user_updated") != actions.end());
  // Newest first: the refused login of the disabled account, then the admin's change.
  auto entries = json.at("data").as_array();
  REQUIRE(entries.size() >= 2);
  CHECK(str(entries[0].at("action")) == "auth.login_failed");
  auto entry = entries[1].as_object();
  CHECK(str(entry.at("action")) == "admin.user_updated");
  CHECK(str(entry.at("actor_id")) == admin_id);
  CHECK(str(entry.at("ip")) == "127.0.0.1");
  CHECK(!str(entry.at("request_id")).empty());
}

TEST_CASE("the audit log records logins, failures and refresh-token reuse", "[admin]") {
  admin_and_user t;
  keel::test::auth_stack& s = t.s;
  auto email = keel::test::unique_address();
  auto reg = s.register_user(email);
  auto user_id = str(reg.at("user").at("id"));
  s.post("/api/v1/auth/login", {{"email", email}, {"password", "wrong password here"}});
  s.login(email);
  keel::test::sql_client db(s.api.database_url());
  // Age the first rotation past the grace window instead of waiting it out.
  auto spent = str(reg.at("refresh_token"));
  REQUIRE(s.post("/api/v1/auth/refresh", {{"refresh_token", spent}}).status == 200);
  db.scalar(
      "UPDATE auth_refresh_tokens SET spent_at = now() - interval '1 hour' "
      "WHERE spent_at IS NOT NULL");
  expect_problem(s.post("/api/v1/auth/refresh", {{"refresh_token", spent}}), 401,
                 "refresh_token_reused");

  auto audit = s.api.get("/api/v1/admin/audit?user_id=" + user_id + "&limit=100", bearer(t.admin));
  REQUIRE(audit.status == 200);
  auto json = audit.json();
  std::vector<std::string> actions;
  for (const auto& e : json.at("data").as_array()) actions.push_back(str(e.at("action")));
  INFO(audit.body);
  for (auto expected : {"auth.register", "auth.login_failed", "auth.login", "auth.refresh_reuse"}) {
    CHECK(std::find(actions.begin(), actions.end(), expected) != actions.end());
  }
  auto failures = s.api.get("/api/v1/admin/audit?action=auth.login_failed", bearer(t.admin));
  REQUIRE(failures.status == 200);
  CHECK(failures.json().at("data").as_array().size() == 1);
  // No secret reaches the log: neither the password tried nor any token.
  CHECK(audit.body.find("wrong password here") == std::string::npos);
  CHECK(audit.body.find(spent) == std::string::npos);
}

TEST_CASE("auth.purge deletes old ended sessions and spent codes, not live ones", "[admin]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  auto ended = s.register_user(email);
  auto live = s.login(email);
  REQUIRE(
      s.api.request("POST", "/api/v1/auth/logout", bearer(str(ended.at("access_token")))).status ==
      204);
  keel::test::sql_client db(s.api.database_url());
  db.scalar(
      "UPDATE auth_sessions SET ended_at = now() - interval '2 days' WHERE ended_at IS NOT NULL");
  db.scalar(
      "INSERT INTO auth_otps (email, code_hash, expires_at) "
      "VALUES ('old@example.com', 'x', now() - interval '1 minute')");
  keel::test::process cron(keel::test::binary("keel-cron"), {"run", "auth.purge"},
                           {{"DATABASE_URL", s.api.database_url()}, {"LOG_LEVEL", "warn"}});
  auto status = cron.wait(30s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(db.scalar("SELECT count(*) FROM auth_sessions") == "1");
  CHECK(db.scalar("SELECT count(*) FROM auth_otps") == "0");
  CHECK(s.me(str(live.at("access_token"))).status == 200);
}
