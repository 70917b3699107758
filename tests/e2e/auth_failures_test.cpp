// Auth end to end, failures that must not help an attacker: a failed sign-in stays counted
// when the rest of its request fails, disabled accounts and unknown addresses answer like
// anyone else, and a full hashing pool or a bad reset link answers at once.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "auth_stack.hpp"
#include "expect_problem.hpp"

using namespace std::chrono_literals;
using keel::test::auth_stack;
using keel::test::expect_problem;
using keel::test::str;

namespace {

// Makes the database refuse the audit rows of failed sign-ins: a failure the test provokes in
// the step that follows the counting.
void refuse_failure_audits(keel::test::sql_client& db) {
  db.scalar(R"sql(
      CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit rows refused by the test';
      END $$
  )sql");
  db.scalar(R"sql(
      CREATE TRIGGER refuse_failure_audits BEFORE INSERT ON audit_log
         FOR EACH ROW WHEN (NEW.action = 'auth.login_failed') EXECUTE FUNCTION refuse_audit()
  )sql");
}

void accept_audits(keel::test::sql_client& db) {
  db.scalar("DROP TRIGGER refuse_failure_audits ON audit_log");
}

// A problem body without its request id, the one part that differs between two answers.
boost::json::object without_request_id(const keel::test::http_response& r) {
  auto body = r.json().as_object();
  body.erase("request_id");
  return body;
}

// The names and values of an answer's headers but those that differ between any two
// answers: its request id and trace span, its date and the rate limit's countdown.
std::string comparable_headers(const keel::test::http_response& r) {
  std::string out;
  for (const auto& [name, value] : r.headers) {
    if (name == "x-request-id" || name == "traceparent" || name == "date" ||
        name.rfind("ratelimit-", 0) == 0) {
      continue;
    }
    out += name + ": " + value + "\n";
  }
  return out;
}

std::chrono::microseconds median(std::vector<std::chrono::microseconds> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Slow hashing on one thread and no queue: one hash in flight fills the pool for a while.
const keel::test::env_vars one_slow_hash = {{"PASSWORD_HASH_THREADS", "1"},
                                            {"PASSWORD_HASH_QUEUE", "0"},
                                            {"PASSWORD_HASH_OPS", "100"},
                                            {"RATE_LIMITS", "false"}};

keel::test::http_response login_attempt(int port, const std::string& email) {
  return keel::test::http_request(
      port, "POST", "/api/v1/auth/login", keel::test::json_headers,
      keel::test::json_body({{"email", email}, {"password", "not the password"}}));
}

}  // namespace

TEST_CASE("wrong codes whose audit rows are refused still spend the code's tries", "[auth]") {
  auth_stack s;
  keel::test::sql_client db(s.api.database_url());
  auto email = keel::test::unique_address();
  REQUIRE(s.post("/api/v1/auth/otp/request", {{"email", email}}).status == 202);
  auto code = keel::test::otp_code(keel::test::nth_mail_body(email));
  std::string wrong = code == "000000" ? "000001" : "000000";

  refuse_failure_audits(db);
  // The first five are counted, then fail in the audit step; the code is spent after them.
  for (int i = 0; i < 5; ++i) {
    auto r = s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", wrong}});
    INFO(r.body);
    CHECK(r.status == 500);
  }
  for (int i = 0; i < 2; ++i) {
    expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", wrong}}), 401,
                   "invalid_code");
  }
  accept_audits(db);
  expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", code}}), 401,
                 "invalid_code");
  CHECK(db.scalar("SELECT attempts FROM auth_otps WHERE email = '" + email + "'") == "5");
}

TEST_CASE("failed logins whose audit rows are refused still lock the account", "[auth]") {
  // Rate limits off, so that the 429 can only come from the account's lockout.
  auth_stack s(keel::test::env_vars{{"RATE_LIMITS", "false"}});
  keel::test::sql_client db(s.api.database_url());
  auto email = keel::test::unique_address();
  s.register_user(email);
  refuse_failure_audits(db);
  for (int i = 0; i < 10; ++i) {
    auto r = s.post("/api/v1/auth/login", {{"email", email}, {"password", "wrong guess"}});
    INFO(r.body);
    CHECK(r.status == 500);
  }
  accept_audits(db);
  auto locked =
      s.post("/api/v1/auth/login", {{"email", email}, {"password", "correct horse battery"}});
  expect_problem(locked, 429, "rate_limited");
  CHECK(std::stoi(locked.header("retry-after")) > 800);
}

TEST_CASE("a failed sign-in with a long User-Agent cut inside a character is counted and audited",
          "[auth]") {
  auth_stack s;
  keel::test::sql_client db(s.api.database_url());
  auto email = keel::test::unique_address();
  s.register_user(email);
  // 610 bytes of valid UTF-8 whose 512th byte falls inside a three-byte character.
  std::string agent = "keel-test ";
  for (int i = 0; i < 200; ++i) agent += "\xE2\x82\xAC";
  keel::test::header_list headers = {{"User-Agent", agent}};

  expect_problem(
      s.post("/api/v1/auth/login", {{"email", email}, {"password", "wrong guess"}}, headers), 401,
      "invalid_credentials");
  CHECK(db.scalar("SELECT failed_logins FROM users WHERE email = '" + email + "'") == "1");

  REQUIRE(s.post("/api/v1/auth/otp/request", {{"email", email}}).status == 202);
  auto code = keel::test::otp_code(keel::test::nth_mail_body(email, 2));
  std::string wrong = code == "000000" ? "000001" : "000000";
  expect_problem(s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", wrong}}, headers),
                 401, "invalid_code");
  CHECK(db.scalar("SELECT attempts FROM auth_otps WHERE email = '" + email + "'") == "1");

  CHECK(db.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'") == "2");
  auto stored = db.scalar(
      "SELECT user_agent FROM audit_log WHERE action = 'auth.login_failed' ORDER BY id LIMIT 1");
  CHECK(!stored.empty());
  CHECK(stored.size() <= 512);
  CHECK(agent.compare(0, stored.size(), stored) == 0);  // clipped, on a character boundary
}

TEST_CASE("a disabled account answers its right password exactly as a wrong one", "[auth]") {
  auth_stack s;
  keel::test::sql_client db(s.api.database_url());
  auto email = keel::test::unique_address();
  s.register_user(email);
  db.scalar("UPDATE users SET disabled_at = now() WHERE email = '" + email + "'");

  auto right =
      s.post("/api/v1/auth/login", {{"email", email}, {"password", "correct horse battery"}});
  auto wrong = s.post("/api/v1/auth/login", {{"email", email}, {"password", "wrong guess"}});
  expect_problem(right, 401, "invalid_credentials");
  expect_problem(wrong, 401, "invalid_credentials");
  CHECK(without_request_id(right) == without_request_id(wrong));
  CHECK(comparable_headers(right) == comparable_headers(wrong));
  // Both count toward the lockout, so that not even its timing tells them apart; the audit
  // log tells the admin which was which.
  CHECK(db.scalar("SELECT failed_logins FROM users WHERE email = '" + email + "'") == "2");
  CHECK(db.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' "
                  "AND details->>'reason' = 'account_disabled'") == "1");
}

TEST_CASE("forgot password answers known and unknown addresses alike and in the same time",
          "[auth]") {
  auth_stack s(keel::test::env_vars{{"RATE_LIMITS", "false"}});
  keel::test::sql_client db(s.api.database_url());
  auto known = keel::test::unique_address();
  s.register_user(known);
  keel::test::http_client client(s.api.port());
  auto forgot = [&](const std::string& email) {
    auto started = std::chrono::steady_clock::now();
    auto r = client.request("POST", "/api/v1/auth/password/forgot", keel::test::json_headers,
                            keel::test::json_body({{"email", email}}));
    auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    return std::pair{r, took};
  };
  for (int i = 0; i < 3; ++i) {  // warm up the connection and the statements
    forgot(known);
    forgot(keel::test::unique_address());
  }

  std::vector<std::chrono::microseconds> known_times, unknown_times;
  auto first_known = forgot(known).first;
  auto first_unknown = forgot(keel::test::unique_address()).first;
  for (int i = 0; i < 20; ++i) {  // interleaved, so that noise falls on both alike
    auto [k, tk] = forgot(known);
    auto [u, tu] = forgot(keel::test::unique_address());
    CHECK(k.status == 202);
    CHECK(u.status == 202);
    CHECK(k.body == first_known.body);
    CHECK(u.body == first_known.body);
    CHECK(comparable_headers(k) == comparable_headers(first_known));
    CHECK(comparable_headers(u) == comparable_headers(first_known));
    known_times.push_back(tk);
    unknown_times.push_back(tu);
  }
  CHECK(first_known.status == 202);
  CHECK(comparable_headers(first_unknown) == comparable_headers(first_known));
  auto k = median(known_times);
  auto u = median(unknown_times);
  INFO("median known " << k.count() << " us, unknown " << u.count() << " us");
  // The same statements either way; before, a known address took three times as long.
  CHECK(std::max(k, u) <= 2 * std::min(k, u) + 1000us);

  // The address is looked up off the request: one job per request, known or not.
  CHECK(db.scalar("SELECT count(*) FROM jobs WHERE kind = 'auth.password_reset'") == "48");
  // The known address still gets its links (mail 1 is the verification link), and the audit
  // row written by keel-worker says where the request came from.
  auto body = keel::test::nth_mail_body(known, 2);
  CHECK(body.find("reset") != std::string::npos);
  CHECK(db.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.password_reset_requested' "
                  "AND ip = '127.0.0.1' AND request_id IS NOT NULL") != "0");
}

TEST_CASE("with the hashing pool full a login answers 503 busy with Retry-After", "[auth]") {
  auth_stack s(one_slow_hash);
  std::vector<std::future<keel::test::http_response>> attempts;
  for (int i = 0; i < 3; ++i) {
    attempts.push_back(
        std::async(std::launch::async, login_attempt, s.api.port(), keel::test::unique_address()));
  }
  int busy = 0, refused = 0;
  for (auto& a : attempts) {
    auto r = a.get();
    if (r.status == 503) {
      expect_problem(r, 503, "busy");
      CHECK(r.header("retry-after") == "1");
      ++busy;
    } else {
      expect_problem(r, 401, "invalid_credentials");
      ++refused;
    }
  }
  // One hash at a time and none waiting: at least two of three at once are turned away.
  CHECK(busy >= 2);
  CHECK(refused >= 1);
}

TEST_CASE("password reset with an invalid link answers at once and never hashes", "[auth]") {
  auth_stack s(one_slow_hash);
  // A login for an unknown address spends one slow hash, filling the pool.
  auto holder =
      std::async(std::launch::async, login_attempt, s.api.port(), keel::test::unique_address());
  std::this_thread::sleep_for(200ms);
  bool full = false;
  for (int i = 0; i < 100 && !full; ++i) {
    full = login_attempt(s.api.port(), keel::test::unique_address()).status == 503;
    if (!full) std::this_thread::sleep_for(20ms);
  }
  REQUIRE(full);

  auto started = std::chrono::steady_clock::now();
  auto reset = s.post("/api/v1/auth/password/reset",
                      {{"token", "not-a-token-anyone-was-sent"}, {"password", "brand new secret"}});
  auto took = std::chrono::steady_clock::now() - started;
  // Not "busy": the link was refused before any hash was asked for.
  expect_problem(reset, 400, "invalid_link");
  CHECK(took < 1s);
  // Still full: the slow hash was in flight all along.
  CHECK(login_attempt(s.api.port(), keel::test::unique_address()).status == 503);
  holder.wait();
}
