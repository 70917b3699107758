// Auth end to end, sessions: register and verify, login, refresh rotation and reuse, logout,
// session list and revocation, browser cookies, password change. Real keel-api, keel-worker
// and SMTP sink.
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "auth_stack.hpp"
#include "core/auth/password.hpp"
#include "expect_problem.hpp"

using namespace std::chrono_literals;
using keel::test::auth_stack;
using keel::test::bearer;
using keel::test::expect_problem;
using keel::test::str;

TEST_CASE("register answers 201 with tokens and mails a link that verifies the email", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  auto reg = s.register_user(email);
  CHECK(str(reg.at("token_type")) == "Bearer");
  CHECK(reg.at("expires_in").as_int64() == 900);
  CHECK(!str(reg.at("refresh_token")).empty());
  auto user = reg.at("user").as_object();
  CHECK(str(user.at("email")) == email);
  CHECK(user.at("email_verified").as_bool() == false);
  CHECK(str(user.at("role")) == "user");

  auto token = keel::test::link_token(keel::test::nth_mail_body(email));
  auto verified = s.post("/api/v1/auth/email/verify", {{"token", token}});
  INFO(verified.body);
  REQUIRE(verified.status == 200);
  CHECK(verified.json().at("email_verified").as_bool());
  auto me = s.me(str(reg.at("access_token")));
  REQUIRE(me.status == 200);
  CHECK(me.json().at("email_verified").as_bool());

  // Single use.
  expect_problem(s.post("/api/v1/auth/email/verify", {{"token", token}}), 400, "invalid_link");
  // The sent mail no longer holds the token, nor does any auth table hold it in clear.
  keel::test::sql_client db(s.api.database_url());
  // The worker marks the mail sent just after the sink has it.
  for (int i = 0;
       i < 100 && db.scalar("SELECT count(*) FROM mail_messages WHERE status = 'sent'") != "1";
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(db.scalar("SELECT count(*) FROM mail_messages WHERE status = 'sent'") == "1");
  CHECK(db.scalar("SELECT count(*) FROM mail_messages WHERE text_body LIKE '%" + token + "%'") ==
        "0");
  CHECK(db.scalar("SELECT count(*) FROM auth_tokens WHERE token_hash = '" + token + "'") == "0");
}

TEST_CASE("register with an address already taken, in any case, answers 409 email_taken",
          "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  s.register_user(email);
  std::string upper = email;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto again =
      s.post("/api/v1/auth/register", {{"email", upper}, {"password", "another password"}});
  expect_problem(again, 409, "email_taken");
}

TEST_CASE("register refuses a short password with a 422 naming the field", "[auth]") {
  auth_stack s;
  auto r = s.post("/api/v1/auth/register",
                  {{"email", keel::test::unique_address()}, {"password", "short"}});
  expect_problem(r, 422, "validation_failed");
  CHECK(r.body.find("password") != std::string::npos);
}

TEST_CASE("login answers the same 401 for a wrong password and an unknown email", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  s.register_user(email);
  auto wrong = s.post("/api/v1/auth/login", {{"email", email}, {"password", "not the password"}});
  auto unknown = s.post("/api/v1/auth/login", {{"email", keel::test::unique_address()},
                                               {"password", "not the password"}});
  expect_problem(wrong, 401, "invalid_credentials");
  expect_problem(unknown, 401, "invalid_credentials");
  CHECK(wrong.json().at("detail") == unknown.json().at("detail"));
  auto ok = s.login(email);
  CHECK(s.me(str(ok.at("access_token"))).status == 200);
}

TEST_CASE("refresh gives a new pair and spends the old refresh token", "[auth]") {
  auth_stack s;
  auto reg = s.register_user(keel::test::unique_address());
  auto first = str(reg.at("refresh_token"));
  auto r = s.post("/api/v1/auth/refresh", {{"refresh_token", first}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto pair = r.json().as_object();
  CHECK(str(pair.at("refresh_token")) != first);
  CHECK(s.me(str(pair.at("access_token"))).status == 200);
  auto next = s.post("/api/v1/auth/refresh", {{"refresh_token", str(pair.at("refresh_token"))}});
  CHECK(next.status == 200);
  expect_problem(s.post("/api/v1/auth/refresh", {{"refresh_token", "never-issued"}}), 401,
                 "invalid_refresh_token");
}

TEST_CASE("a refresh token reused after the grace window ends the whole family", "[auth]") {
  auth_stack s(keel::test::env_vars{{"REFRESH_REUSE_GRACE", "1s"}});
  auto reg = s.register_user(keel::test::unique_address());
  auto spent = str(reg.at("refresh_token"));
  auto rotated = s.post("/api/v1/auth/refresh", {{"refresh_token", spent}});
  REQUIRE(rotated.status == 200);
  auto pair = rotated.json().as_object();
  REQUIRE(s.me(str(pair.at("access_token"))).status == 200);

  std::this_thread::sleep_for(2100ms);
  expect_problem(s.post("/api/v1/auth/refresh", {{"refresh_token", spent}}), 401,
                 "refresh_token_reused");
  // The thief and the owner are both out: the new access and refresh tokens stop working.
  expect_problem(s.me(str(pair.at("access_token"))), 401, "invalid_token");
  expect_problem(s.post("/api/v1/auth/refresh", {{"refresh_token", str(pair.at("refresh_token"))}}),
                 401, "invalid_refresh_token");
}

TEST_CASE("two refreshes of one token at once both succeed with the same new pair", "[auth]") {
  auth_stack s;
  auto reg = s.register_user(keel::test::unique_address());
  auto token = str(reg.at("refresh_token"));
  auto refresh = [&] {
    return keel::test::http_request(s.api.port(), "POST", "/api/v1/auth/refresh",
                                    keel::test::json_headers,
                                    keel::test::json_body({{"refresh_token", token}}));
  };
  auto a = std::async(std::launch::async, refresh);
  auto b = std::async(std::launch::async, refresh);
  auto ra = a.get();
  auto rb = b.get();
  INFO(ra.body << "\n" << rb.body);
  REQUIRE(ra.status == 200);
  REQUIRE(rb.status == 200);
  CHECK(ra.json().at("refresh_token") == rb.json().at("refresh_token"));
  CHECK(ra.json().at("access_token") == rb.json().at("access_token"));
  CHECK(s.me(str(ra.json().at("access_token"))).status == 200);
}

TEST_CASE("logout ends the session at once: its access token gets 401", "[auth]") {
  auth_stack s;
  auto reg = s.register_user(keel::test::unique_address());
  auto access = str(reg.at("access_token"));
  REQUIRE(s.me(access).status == 200);
  auto out = s.api.request("POST", "/api/v1/auth/logout", bearer(access));
  INFO(out.body);
  CHECK(out.status == 204);
  expect_problem(s.me(access), 401, "invalid_token");
  expect_problem(s.post("/api/v1/auth/refresh", {{"refresh_token", str(reg.at("refresh_token"))}}),
                 401, "invalid_refresh_token");
  expect_problem(s.api.get("/api/v1/auth/me"), 401, "unauthorized");
}

TEST_CASE("sessions are listed, and revoking one stops its token at once", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  auto phone = s.register_user(email);
  auto laptop = s.login(email);
  auto phone_access = str(phone.at("access_token"));
  auto laptop_access = str(laptop.at("access_token"));

  auto list = s.api.get("/api/v1/auth/sessions", bearer(laptop_access));
  REQUIRE(list.status == 200);
  auto data = list.json().at("data").as_array();
  REQUIRE(data.size() == 2);
  std::string phone_session;
  int current = 0;
  for (const auto& item : data) {
    if (item.at("current").as_bool()) {
      ++current;
    } else {
      phone_session = str(item.at("id"));
    }
    CHECK(item.at("ip").as_string() == "127.0.0.1");
  }
  CHECK(current == 1);

  auto revoked =
      s.api.request("DELETE", "/api/v1/auth/sessions/" + phone_session, bearer(laptop_access));
  CHECK(revoked.status == 204);
  expect_problem(s.me(phone_access), 401, "invalid_token");
  CHECK(s.me(laptop_access).status == 200);
  expect_problem(
      s.api.request("DELETE", "/api/v1/auth/sessions/" + phone_session, bearer(laptop_access)), 404,
      "not_found");

  // Ending every other session keeps this one.
  auto tablet = s.login(email);
  CHECK(s.api.request("DELETE", "/api/v1/auth/sessions", bearer(laptop_access)).status == 204);
  expect_problem(s.me(str(tablet.at("access_token"))), 401, "invalid_token");
  CHECK(s.me(laptop_access).status == 200);
}

TEST_CASE("browsers get the refresh token only as an HttpOnly cookie, usable from allowed origins",
          "[auth]") {
  auth_stack s(keel::test::env_vars{{"CORS_ORIGINS", "http://app.test"}});
  keel::test::header_list web = {{"X-Client-Platform", "web"}};
  auto r =
      s.post("/api/v1/auth/register",
             {{"email", keel::test::unique_address()}, {"password", "correct horse battery"}}, web);
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.json().at("refresh_token").is_null());  // never in the body, for scripts to read
  auto cookie = r.header("set-cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("Path=/api/v1/auth") != std::string::npos);
  CHECK(cookie.find("SameSite=Lax") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);
  auto pair = cookie.substr(0, cookie.find(';'));  // keel_refresh=...
  REQUIRE(pair.rfind("keel_refresh=", 0) == 0);

  auto from = [&](std::string origin) {
    keel::test::header_list h = {{"X-Client-Platform", "web"}, {"Cookie", "theme=dark; " + pair}};
    if (!origin.empty()) h.emplace_back("Origin", origin);
    return s.api.request("POST", "/api/v1/auth/refresh", h);
  };
  expect_problem(from("http://evil.test"), 403, "origin_not_allowed");
  expect_problem(from(""), 403, "origin_not_allowed");
  auto ok = from("http://app.test");
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  CHECK(ok.json().at("refresh_token").is_null());
  CHECK(ok.header("set-cookie").rfind("keel_refresh=", 0) == 0);
  CHECK(ok.header("set-cookie").substr(0, ok.header("set-cookie").find(';')) != pair);
}

TEST_CASE("with COOKIE_SECURE the refresh cookie is Secure and SameSite=None", "[auth]") {
  auth_stack s(keel::test::env_vars{{"COOKIE_SECURE", "true"}});
  auto r = s.post("/api/v1/auth/register",
                  {{"email", keel::test::unique_address()}, {"password", "correct horse battery"}},
                  {{"X-Client-Platform", "web"}});
  REQUIRE(r.status == 201);
  CHECK(r.header("set-cookie").find("; Secure; SameSite=None") != std::string::npos);
}

TEST_CASE("password change ends the other sessions and keeps the current one", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  auto other = s.register_user(email);
  auto current = s.login(email);
  auto access = str(current.at("access_token"));
  auto wrong = s.post("/api/v1/auth/password/change",
                      {{"current_password", "not it at all"}, {"new_password", "a new password"}},
                      bearer(access));
  expect_problem(wrong, 422, "validation_failed");
  auto changed =
      s.post("/api/v1/auth/password/change",
             {{"current_password", "correct horse battery"}, {"new_password", "a new password"}},
             bearer(access));
  INFO(changed.body);
  CHECK(changed.status == 204);
  CHECK(s.me(access).status == 200);
  expect_problem(s.me(str(other.at("access_token"))), 401, "invalid_token");
  s.login(email, "a new password");
  expect_problem(
      s.post("/api/v1/auth/login", {{"email", email}, {"password", "correct horse battery"}}), 401,
      "invalid_credentials");
}

TEST_CASE("a session unused for SESSION_IDLE_TTL ends: its tokens stop working", "[auth]") {
  auth_stack s(keel::test::env_vars{{"SESSION_IDLE_TTL", "1s"}});
  auto reg = s.register_user(keel::test::unique_address());
  REQUIRE(s.me(str(reg.at("access_token"))).status == 200);
  std::this_thread::sleep_for(1500ms);
  expect_problem(s.me(str(reg.at("access_token"))), 401, "invalid_token");
  expect_problem(s.post("/api/v1/auth/refresh", {{"refresh_token", str(reg.at("refresh_token"))}}),
                 401, "invalid_refresh_token");
}

TEST_CASE("login re-hashes a password stored with other Argon2id parameters", "[auth]") {
  auth_stack s;
  auto email = keel::test::unique_address();
  s.register_user(email);
  keel::test::sql_client db(s.api.database_url());
  auto where = " FROM users WHERE email = '" + email + "'";
  auto stored = db.scalar("SELECT password_hash" + where);
  CHECK(stored.find("$argon2id$") == 0);
  CHECK(stored.find("m=19456,t=2") != std::string::npos);
  // The same password under t=3, as an older deployment with other settings would have left it.
  keel::auth::password_hasher older({.memory_bytes = 19u << 20, .ops = 3}, 1, 1);
  std::string password = "correct horse battery";
  auto old_hash = keel::test::run_async(
      db.loops, [&]() -> keel::async<std::string> { co_return co_await older.hash(password); });
  db.scalar("UPDATE users SET password_hash = '" + old_hash + "'" +
            where.substr(where.find(" WHERE")));
  s.login(email);
  auto rehashed = db.scalar("SELECT password_hash" + where);
  CHECK(rehashed != old_hash);
  CHECK(rehashed.find("m=19456,t=2") != std::string::npos);
  s.login(email);  // and the new hash verifies
}

TEST_CASE("behind one trusted proxy the client IP is the address the proxy appended", "[auth]") {
  auth_stack s(keel::test::env_vars{{"TRUSTED_PROXY_HOPS", "1"}});
  // The client wrote the first entry itself (forgeable); the proxy appended the second.
  auto r = s.post("/api/v1/auth/register",
                  {{"email", keel::test::unique_address()}, {"password", "correct horse battery"}},
                  {{"X-Forwarded-For", "198.51.100.1, 203.0.113.9"}});
  REQUIRE(r.status == 201);
  auto list = s.api.get("/api/v1/auth/sessions", bearer(str(r.json().at("access_token"))));
  REQUIRE(list.status == 200);
  CHECK(str(list.json().at("data").at(0).at("ip")) == "203.0.113.9");

  // Without trusted proxies the header is ignored.
  auth_stack direct;
  auto d =
      direct.post("/api/v1/auth/register",
                  {{"email", keel::test::unique_address()}, {"password", "correct horse battery"}},
                  {{"X-Forwarded-For", "203.0.113.9"}});
  REQUIRE(d.status == 201);
  auto sessions = direct.api.get("/api/v1/auth/sessions", bearer(str(d.json().at("access_token"))));
  CHECK(str(sessions.json().at("data").at(0).at("ip")) == "127.0.0.1");
}

TEST_CASE("auth routes answer bad input with typed problems and keep serving", "[auth]") {
  auth_stack s;
  const keel::test::header_list json = keel::test::json_headers;
  auto raw = [&](std::string_view method, std::string_view target,
                 const keel::test::header_list& headers,
                 std::string_view body) { return s.api.request(method, target, headers, body); };
  expect_problem(raw("POST", "/api/v1/auth/register", {}, R"({"email":"a@b.co"})"), 415,
                 "unsupported_media_type");
  expect_problem(raw("POST", "/api/v1/auth/login", json, R"({"email": )"), 400, "malformed_json");
  expect_problem(raw("POST", "/api/v1/auth/refresh", json, "not json"), 400, "malformed_json");

  auto empty = raw("POST", "/api/v1/auth/login", json, "{}");
  expect_problem(empty, 422, "validation_failed");
  std::vector<std::string> fields;
  auto problem = empty.json();
  for (const auto& e : problem.at("errors").as_array()) fields.push_back(str(e.at("field")));
  CHECK(std::find(fields.begin(), fields.end(), "email") != fields.end());
  CHECK(std::find(fields.begin(), fields.end(), "password") != fields.end());

  std::string long_email(300, 'a');
  long_email += "@example.com";
  expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", long_email}, {"code", "123456"}}),
                 422, "validation_failed");
  expect_problem(s.post("/api/v1/auth/register", {{"email", "not an email"}, {"password", "x"}}),
                 422, "validation_failed");
  expect_problem(s.me(std::string(8000, 'x')), 401, "invalid_token");
  expect_problem(s.api.get("/api/v1/auth/me", {{"Authorization", "Basic dXNlcjpwYXNz"}}), 401,
                 "unauthorized");

  auto reg = s.register_user(keel::test::unique_address());
  expect_problem(s.api.request("DELETE", "/api/v1/auth/sessions/not-a-uuid",
                               bearer(str(reg.at("access_token")))),
                 422, "validation_failed");
  CHECK(s.api.get("/health").status == 200);
  CHECK(s.me(str(reg.at("access_token"))).status == 200);
}
