// The auth service against a real PostgreSQL, handed client text that keel-api's edge would
// refuse (bytes that are not UTF-8, a NUL): a failed sign-in is still counted and audited.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "api/settings.hpp"
#include "core/audit/dto.hpp"
#include "core/auth/service.hpp"
#include "core/db/pool.hpp"
#include "core/runtime/config.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/api_server.hpp"
#include "tests/support/async.hpp"
#include "tests/support/database.hpp"

namespace audit = keel::audit;
namespace auth = keel::auth;
using keel::async;
using keel::test::run_async;

namespace {

const std::string password = "correct horse battery";

struct fixture {
  std::string url = keel::test::fresh_database();
  keel::api::settings cfg = keel::runtime::load_config<keel::api::settings>(
      [this](std::string_view name) -> std::optional<std::string> {
        if (name == "DATABASE_URL") return url;
        if (name == "JWT_SIGNING_KEYS") return std::string(keel::test::test_signing_keys);
        return std::nullopt;
      });
  keel::runtime::event_loops loops{1};
  keel::db::pool pool{loops, {.url = url, .size = 2, .application_name = "keel_auth_failures"}};
  auth::service svc{pool, cfg.auth};

  // Where a hostile client's request comes from, as the service would be told it.
  audit::origin hostile() const {
    return {.actor_id = std::nullopt,
            .ip = "127.0.0.1",
            .user_agent = std::string("agent \xff\xfe with a \0 NUL", 21),
            .request_id = "hostile-request"};
  }

  std::string register_user(const std::string& email) {
    return run_async(loops, [&]() -> async<std::string> {
      auth::register_body body{.email = email, .password = password, .name = std::nullopt};
      audit::origin from{.actor_id = std::nullopt,
                         .ip = "127.0.0.1",
                         .user_agent = "tests",
                         .request_id = "register"};
      auto tokens = co_await svc.register_user(body, from);
      co_return tokens.user.id.str();
    });
  }

  void login(const std::string& email, const std::string& tried) {
    run_async(loops, [&]() -> async<void> {
      auth::login_body body{.email = email, .password = tried};
      audit::origin from = hostile();
      co_await svc.login(body, from);
    });
  }

  std::string scalar(const std::string& sql) {
    return run_async(loops, [&]() -> async<std::string> {
      auto rows = co_await pool.query(sql);
      co_return rows.empty() || rows[0].is_null(0) ? std::string() : std::string(rows[0].text(0));
    });
  }
};

}  // namespace

TEST_CASE("a failed login with a User-Agent of invalid UTF-8 and NUL is counted and audited",
          "[auth]") {
  fixture f;
  std::string email = "hostile-login@example.com";
  std::string user_id = f.register_user(email);
  REQUIRE_THROWS_AS(f.login(email, "wrong guess"), keel::unauthorized);
  CHECK(f.scalar("SELECT failed_logins FROM users WHERE id = '" + user_id + "'") == "1");
  CHECK(f.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND "
                 "user_id = '" +
                 user_id + "'") == "1");
  // Stored as far as it can be: each byte that is not UTF-8, and the NUL, as U+FFFD.
  CHECK(f.scalar("SELECT user_agent FROM audit_log WHERE action = 'auth.login_failed'") ==
        "agent \xEF\xBF\xBD\xEF\xBF\xBD with a \xEF\xBF\xBD NUL");
}

TEST_CASE("failed logins with a User-Agent of invalid UTF-8 lock the account", "[auth]") {
  fixture f;
  std::string email = "hostile-lockout@example.com";
  f.register_user(email);
  for (int i = 0; i < 10; ++i) {
    REQUIRE_THROWS_AS(f.login(email, "wrong guess"), keel::unauthorized);
  }
  REQUIRE_THROWS_AS(f.login(email, password), keel::too_many_requests);
}

TEST_CASE("a wrong code with a User-Agent of invalid UTF-8 spends a try and is audited", "[auth]") {
  fixture f;
  std::string email = "hostile-code@example.com";
  run_async(f.loops, [&]() -> async<void> {
    auth::otp_request_body body{.email = email, .draft = std::nullopt};
    audit::origin from{
        .actor_id = std::nullopt, .ip = "127.0.0.1", .user_agent = "tests", .request_id = "otp"};
    co_await f.svc.request_otp(body, from);
  });
  auto verify = [&](const std::string& code) {
    run_async(f.loops, [&]() -> async<void> {
      auth::otp_verify_body body{.email = email, .code = code};
      audit::origin from = f.hostile();
      co_await f.svc.verify_otp(body, from);
    });
  };
  // Whatever the mailed code was, no guess matches it now.
  f.scalar("UPDATE auth_otps SET code_hash = 'matches no code' WHERE email = '" + email + "'");
  REQUIRE_THROWS_AS(verify("000000"), keel::unauthorized);
  CHECK(f.scalar("SELECT attempts FROM auth_otps WHERE email = '" + email + "'") == "1");
  CHECK(f.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND "
                 "details->>'method' = 'otp'") == "1");
}
