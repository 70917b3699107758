// Text that is not UTF-8 or holds a NUL, in bodies, query and path parameters, cursors and the
// User-Agent keel stores: answered 4xx or stored cleaned, never a 500 that loses an audit row.
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "auth_stack.hpp"
#include "core/dto/cursor.hpp"
#include "core/runtime/text.hpp"
#include "expect_problem.hpp"

using namespace std::chrono_literals;
using namespace std::string_literals;
using keel::test::auth_stack;
using keel::test::bearer;
using keel::test::expect_problem;
using keel::test::header_list;
using keel::test::http_response;
using keel::test::str;

namespace {

const std::string unclean = "must be UTF-8 text without NUL characters";

// A 422 whose errors name `field` with the unclean-text message.
void expect_unclean_field(const http_response& r, const std::string& field) {
  expect_problem(r, 422, "validation_failed");
  bool named = false;
  boost::json::value body = r.json();
  for (const auto& e : body.at("errors").as_array()) {
    named = named || (str(e.at("field")) == field && str(e.at("message")) == unclean);
  }
  INFO(r.body);
  CHECK(named);
}

header_list user_agent(std::string value) {
  return {{"User-Agent", std::move(value)}};
}

// A raw body: boost::json::serialize would escape what these tests must send as is.
http_response post_raw(auth_stack& s, std::string_view target, std::string_view body,
                       header_list headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return s.api.request("POST", target, headers, body);
}

}  // namespace

TEST_CASE("a NUL in the login email or the register name is a 422 naming the field", "[auth]") {
  auth_stack s;
  expect_unclean_field(
      post_raw(s, "/api/v1/auth/login", R"({"email":"a\u0000b@x.io","password":"x"})"), "email");
  auto email = keel::test::unique_address();
  expect_unclean_field(post_raw(s, "/api/v1/auth/register",
                                R"({"email":")" + email +
                                    R"(","password":"correct horse battery","name":"Al\u0000"})"),
                       "name");
  // Nothing was created by the refused register: the address is still free.
  CHECK(s.post("/api/v1/auth/register", {{"email", email}, {"password", "correct horse battery"}})
            .status == 201);
  CHECK(s.api.get("/health").status == 200);
}

TEST_CASE("a User-Agent of a raw 0xFF byte never makes a 500 and is stored as U+FFFD", "[auth]") {
  auth_stack s;
  keel::test::sql_client sql(s.api.database_url());
  auto ua = user_agent("\xff");
  auto email = keel::test::unique_address();

  auto registered = s.post("/api/v1/auth/register",
                           {{"email", email}, {"password", "correct horse battery"}}, ua);
  INFO(registered.body);
  REQUIRE(registered.status == 201);
  CHECK(sql.scalar("SELECT user_agent FROM auth_sessions") == "\xef\xbf\xbd");

  // A failed sign-in with it is audited, so it counts like any other.
  expect_problem(
      s.post("/api/v1/auth/login", {{"email", email}, {"password", "wrong password"}}, ua), 401,
      "invalid_credentials");
  CHECK(sql.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'") == "1");
  CHECK(sql.scalar("SELECT user_agent FROM audit_log WHERE action = 'auth.login_failed'") ==
        "\xef\xbf\xbd");
  CHECK(sql.scalar("SELECT failed_logins FROM users WHERE lower(email) = lower('" + email + "')") ==
        "1");
  CHECK(s.post("/api/v1/auth/login", {{"email", email}, {"password", "correct horse battery"}}, ua)
            .status == 200);

  CHECK(s.post("/api/v1/auth/password/forgot", {{"email", email}}, ua).status == 202);
  CHECK(s.api.get("/health").status == 200);
}

TEST_CASE("wrong codes sent with a raw 0xFF User-Agent still use up the code's tries", "[auth]") {
  auth_stack s;
  auto ua = user_agent("\xff");
  auto email = keel::test::unique_address();
  REQUIRE(s.post("/api/v1/auth/otp/request", {{"email", email}}, ua).status == 202);
  auto code = keel::test::otp_code(keel::test::nth_mail_body(email));
  std::string wrong = code == "000000" ? "000001" : "000000";
  for (int i = 0; i < 5; ++i) {
    expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", wrong}}, ua), 401,
                   "invalid_code");
  }
  expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", code}}, ua), 401,
                 "invalid_code");
}

TEST_CASE("a valid 600-byte User-Agent is kept cut between characters, not refused", "[auth]") {
  auth_stack s;
  keel::test::sql_client sql(s.api.database_url());
  // 511 ASCII bytes and then two-byte characters: a cut at byte 512 would split the first.
  std::string long_ua = std::string(511, 'a');
  while (long_ua.size() < 600) long_ua += "\xc3\xa9";
  auto email = keel::test::unique_address();
  auto registered =
      s.post("/api/v1/auth/register", {{"email", email}, {"password", "correct horse battery"}},
             user_agent(long_ua));
  INFO(registered.body);
  REQUIRE(registered.status == 201);
  auto login =
      s.post("/api/v1/auth/login", {{"email", email}, {"password", "correct horse battery"}},
             user_agent(long_ua));
  INFO(login.body);
  REQUIRE(login.status == 200);
  CHECK(sql.scalar("SELECT count(DISTINCT user_agent) FROM auth_sessions") == "1");
  CHECK(sql.scalar("SELECT user_agent FROM auth_sessions LIMIT 1") == std::string(511, 'a'));
  CHECK(sql.scalar("SELECT user_agent FROM audit_log WHERE action = 'auth.login'") ==
        std::string(511, 'a'));
}

TEST_CASE("a templates cursor whose keys hold a NUL is a 422 on the cursor") {
  keel::test::api_server api;
  std::string cursor = keel::dto::encode_cursor(
      boost::json::parse(
          R"({"score":0,"featured":true,"sort_order":10,"title":"Consensus","slug":"\u0000"})")
          .as_object());
  auto r = api.get("/api/v1/templates?cursor=" + cursor);
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(r.header("content-type").rfind("application/problem+json", 0) == 0);
  CHECK(api.get("/health").status == 200);
}

TEST_CASE("admin list filters holding a NUL or a bad byte are a 422 naming the filter", "[admin]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  auto token = str(s.register_user(email).at("access_token"));
  keel::test::process cron(keel::test::binary("keel-cron"),
                           {"run", "users.promote", "--email", email},
                           {{"DATABASE_URL", s.api.database_url()}, {"LOG_LEVEL", "warn"}});
  REQUIRE(cron.wait(30s) == std::optional<int>(0));
  for (auto [target, field] : {std::pair{"/api/v1/admin/jobs?queue=%00", "queue"},
                               std::pair{"/api/v1/admin/jobs?kind=%00", "kind"},
                               std::pair{"/api/v1/admin/jobs?kind=%FF", "kind"},
                               std::pair{"/api/v1/admin/audit?action=%00", "action"}}) {
    INFO(target);
    expect_unclean_field(s.api.get(target, bearer(token)), field);
  }
  CHECK(s.api.get("/api/v1/admin/jobs?queue=default", bearer(token)).status == 200);
}

TEST_CASE("a raw 0xFF byte in the path is a 4xx and its access-log line is valid JSON") {
  keel::test::api_server api;
  auto send = [&](std::string_view target) {
    keel::test::http_client c(api.port());
    c.send_raw("GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    auto r = c.read_response();
    REQUIRE(r.has_value());
    return *r;
  };
  auto param = send("/api/v1/templates/a\xff");
  INFO(param.body);
  CHECK(param.status == 422);
  CHECK(param.json().at("errors").at(0).at("field") == "slug");
  CHECK(send("/api/v1/\xff\xfe").status == 404);
  CHECK(api.get("/health").status == 200);
  // Every access-log line parses, and the bad byte was logged as U+FFFD.
  std::this_thread::sleep_for(200ms);
  std::string output = api.proc().output();
  int requests = 0;
  bool replaced = false;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.front() != '{') continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    INFO(line);
    REQUIRE_FALSE(ec);
    if (v.as_object().contains("msg") && v.at("msg") == "request") {
      ++requests;
      replaced = replaced || v.at("path") == "/api/v1/templates/a\xef\xbf\xbd";
    }
  }
  CHECK(requests >= 3);
  CHECK(replaced);
}
