// What the auth end-to-end tests run against: a real keel-api, a real keel-worker that sends
// the auth emails to the SMTP sink, and helpers to register, sign in and read the mail.
#pragma once
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <regex>
#include <string>

#include "../support/api_server.hpp"
#include "../support/async.hpp"
#include "../support/process.hpp"
#include "../support/smtp_sink.hpp"
#include "core/db/pool.hpp"
#include "core/runtime/event_loops.hpp"

namespace keel::test {

inline const header_list json_headers = {{"Content-Type", "application/json"}};

inline header_list bearer(const std::string& access_token) {
  return {{"Authorization", "Bearer " + access_token}};
}

inline std::string json_body(const boost::json::object& o) {
  return boost::json::serialize(o);
}

struct auth_stack {
  api_server api;
  std::unique_ptr<process> worker;

  // `env` is keel-api's; `worker_env` adds to the worker's (e.g. storage for uploads).
  explicit auth_stack(env_vars env = {}, const env_vars& worker_env = {}) : api(std::move(env)) {
    std::map<std::string, std::string> worker_vars{{"DATABASE_URL", api.database_url()},
                                                   {"MAIL_TRANSPORT", "smtp"},
                                                   {"SMTP_URL", smtp_sink_url()},
                                                   {"WORKER_POLL_INTERVAL", "200ms"},
                                                   {"LOG_LEVEL", "warn"}};
    for (const auto& [name, value] : worker_env) worker_vars[name] = value;
    worker =
        std::make_unique<process>(binary("keel-worker"), std::vector<std::string>{}, worker_vars);
  }

  http_response post(std::string_view target, const boost::json::object& body,
                     header_list headers = {}) {
    headers.insert(headers.end(), json_headers.begin(), json_headers.end());
    return api.request("POST", target, headers, json_body(body));
  }

  // Registers `email` with `password` and returns the 201 body (tokens and user).
  boost::json::object register_user(const std::string& email,
                                    const std::string& password = "correct horse battery") {
    auto r = post("/api/v1/auth/register", {{"email", email}, {"password", password}});
    INFO(r.body);
    REQUIRE(r.status == 201);
    return r.json().as_object();
  }

  boost::json::object login(const std::string& email,
                            const std::string& password = "correct horse battery") {
    auto r = post("/api/v1/auth/login", {{"email", email}, {"password", password}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    return r.json().as_object();
  }

  http_response me(const std::string& access_token) {
    return api.get("/api/v1/auth/me", bearer(access_token));
  }
};

// Plain SQL on a test's database, to look at or age rows the API does not show.
struct sql_client {
  runtime::event_loops loops{1};
  db::pool pool;

  explicit sql_client(const std::string& url)
      : pool(loops, {.url = url, .size = 1, .application_name = "keel_auth_e2e"}) {}

  // The first column of the first row as text ("" when there is no row or it is NULL).
  std::string scalar(const std::string& sql) {
    return run_async(loops, [&]() -> async<std::string> {
      auto rows = co_await pool.query(sql);
      co_return rows.empty() || rows[0].is_null(0) ? std::string() : std::string(rows[0].text(0));
    });
  }
};

// Makes `email` an admin with keel-cron users.promote; the command's exit status.
inline int promote(const std::string& database_url, const std::string& email) {
  process cron(binary("keel-cron"), {"run", "users.promote", "--email", email},
               {{"DATABASE_URL", database_url}, {"LOG_LEVEL", "warn"}});
  auto status = cron.wait(std::chrono::seconds(30));
  REQUIRE(status.has_value());
  return *status;
}

inline std::string str(const boost::json::value& v) {
  return std::string(v.as_string());
}

// The `n`th message (1-based) the sink received for `to`, its body decoded.
inline std::string nth_mail_body(const std::string& to, std::size_t n = 1) {
  auto mails = wait_for_mail(to, n);
  REQUIRE(mails.size() >= n);
  return decode_quoted_printable(mails[n - 1].body());
}

// The token of the link in a mail body ("...?token=XYZ").
inline std::string link_token(const std::string& body) {
  std::smatch m;
  REQUIRE(std::regex_search(body, m, std::regex("token=([A-Za-z0-9_-]+)")));
  return m[1];
}

// The 6-digit code in a mail body.
inline std::string otp_code(const std::string& body) {
  std::smatch m;
  REQUIRE(std::regex_search(body, m, std::regex("code is ([0-9]{6})")));
  return m[1];
}

}  // namespace keel::test
