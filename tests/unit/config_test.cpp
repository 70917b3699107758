// Configuration: declared once, read from the environment, every problem reported together.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "api/settings.hpp"
#include "core/runtime/config.hpp"
#include "cron/settings.hpp"
#include "worker/settings.hpp"

using namespace keel::runtime;
using api_settings = keel::api::settings;
using worker_settings = keel::worker::settings;
using cron_settings = keel::cron::settings;

namespace {

env_lookup env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

// A usable JWT_SIGNING_KEYS entry (the auth settings check that the keys parse).
const std::string keys = "k1:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8";

}  // namespace

TEST_CASE("defaults apply when only the required variables are set") {
  auto cfg = load_config<api_settings>(
      env_of({{"DATABASE_URL", "postgresql://u@h/db"}, {"JWT_SIGNING_KEYS", keys}}));
  CHECK(cfg.db.url == "postgresql://u@h/db");
  CHECK(cfg.http.port == 8080);
  CHECK(cfg.http.host == "0.0.0.0");
  CHECK(cfg.db.pool_size == 10);
  CHECK(cfg.db.acquire_timeout == std::chrono::seconds(5));
  CHECK(cfg.http.cors_origins.empty());
  CHECK(cfg.runtime.log_format == "json");
  CHECK(cfg.auth.signing_keys == keys);
  CHECK(cfg.auth.issuer == "keel");
  CHECK(cfg.auth.access_ttl == std::chrono::minutes(15));
  CHECK(cfg.auth.password_hash_memory == 19);
  CHECK(cfg.auth.password_hash_ops == 2);
  CHECK(cfg.auth.password_hash_threads == 2);
  CHECK(cfg.auth.password_hash_queue == 64);
}

TEST_CASE("keel-api needs JWT_SIGNING_KEYS; keel-worker and keel-cron do not") {
  auto only_db = env_of({{"DATABASE_URL", "postgresql://u@h/db"}});
  try {
    load_config<api_settings>(only_db);
    FAIL("expected config_error");
  } catch (const config_error& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].find("JWT_SIGNING_KEYS is required") != std::string::npos);
  }
  CHECK_NOTHROW(load_config<worker_settings>(only_db));
  CHECK_NOTHROW(load_config<cron_settings>(only_db));
}

TEST_CASE("password hashing cannot be configured below OWASP's Argon2id minimum") {
  auto with = [](std::string name, std::string value) {
    return env_of({{"DATABASE_URL", "postgresql://u@h/db"},
                   {"JWT_SIGNING_KEYS", keys},
                   {std::move(name), std::move(value)}});
  };
  CHECK_THROWS_AS(load_config<api_settings>(with("PASSWORD_HASH_MEMORY", "18")), config_error);
  CHECK_THROWS_AS(load_config<api_settings>(with("PASSWORD_HASH_OPS", "1")), config_error);
  CHECK_THROWS_AS(load_config<api_settings>(with("PASSWORD_HASH_THREADS", "0")), config_error);
  CHECK(load_config<api_settings>(with("PASSWORD_HASH_MEMORY", "64")).auth.password_hash_memory ==
        64);
  CHECK(load_config<api_settings>(with("PASSWORD_HASH_QUEUE", "0")).auth.password_hash_queue == 0);
}

TEST_CASE("ACCESS_TOKEN_TTL is a duration between 1m and 24h") {
  auto with_ttl = [](std::string ttl) {
    return env_of({{"DATABASE_URL", "postgresql://u@h/db"},
                   {"JWT_SIGNING_KEYS", keys},
                   {"ACCESS_TOKEN_TTL", std::move(ttl)}});
  };
  CHECK(load_config<api_settings>(with_ttl("5m")).auth.access_ttl == std::chrono::minutes(5));
  CHECK_THROWS_AS(load_config<api_settings>(with_ttl("30s")), config_error);
  CHECK_THROWS_AS(load_config<api_settings>(with_ttl("2d")), config_error);
  CHECK_THROWS_AS(load_config<api_settings>(with_ttl("15")), config_error);
}

TEST_CASE("every problem is reported together, naming each variable") {
  try {
    load_config<api_settings>(env_of({{"PORT", "eighty"},
                                      {"DB_POOL_SIZE", "0"},
                                      {"LOG_FORMAT", "xml"},
                                      {"SHUTDOWN_GRACE", "10 parsecs"},
                                      {"CORS_ORIGINS", "*"}}));
    FAIL("expected config_error");
  } catch (const config_error& e) {
    std::string all = e.what();
    CHECK(e.problems().size() == 7);
    CHECK(all.find("DATABASE_URL is required") != std::string::npos);
    CHECK(all.find("JWT_SIGNING_KEYS is required") != std::string::npos);
    CHECK(all.find("PORT") != std::string::npos);
    CHECK(all.find("DB_POOL_SIZE") != std::string::npos);
    CHECK(all.find("LOG_FORMAT") != std::string::npos);
    CHECK(all.find("SHUTDOWN_GRACE") != std::string::npos);
    CHECK(all.find("CORS_ORIGINS") != std::string::npos);
  }
}

TEST_CASE("a secret value is never echoed in a configuration problem") {
  try {
    load_config<worker_settings>(env_of({{"DATABASE_URL", "postgresql://u:hunter2@h/db"},
                                         {"DB_PGBOUNCER", "hunter3"},
                                         {"WORKER_POLL_INTERVAL", "soon"}}));
    FAIL("expected config_error");
  } catch (const config_error& e) {
    std::string all = e.what();
    CHECK(all.find("hunter2") == std::string::npos);
    CHECK(all.find("WORKER_POLL_INTERVAL") != std::string::npos);
  }
}

TEST_CASE("a program reads only its own variables") {
  // PORT is keel-api's: a broken PORT does not stop keel-worker from starting.
  auto cfg =
      load_config<worker_settings>(env_of({{"DATABASE_URL", "postgresql://h/db"}, {"PORT", "x"}}));
  CHECK(cfg.jobs.poll_interval == std::chrono::seconds(1));
  CHECK_THROWS_AS(
      load_config<api_settings>(env_of(
          {{"DATABASE_URL", "postgresql://h/db"}, {"JWT_SIGNING_KEYS", keys}, {"PORT", "x"}})),
      config_error);
}

TEST_CASE("durations take a unit") {
  CHECK(parse_duration("250ms") == std::chrono::milliseconds(250));
  CHECK(parse_duration("10s") == std::chrono::seconds(10));
  CHECK(parse_duration("5m") == std::chrono::minutes(5));
  CHECK(parse_duration("24h") == std::chrono::hours(24));
  CHECK(parse_duration("14d") == std::chrono::hours(14 * 24));
  CHECK_FALSE(parse_duration("10"));
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration("-5s"));
}

TEST_CASE("CORS_ORIGINS is a trimmed comma-separated list of explicit origins") {
  auto cfg = load_config<api_settings>(
      env_of({{"DATABASE_URL", "postgresql://h/db"},
              {"JWT_SIGNING_KEYS", keys},
              {"CORS_ORIGINS", " https://a.example , http://localhost:3000,"}}));
  REQUIRE(cfg.http.cors_origins.size() == 2);
  CHECK(cfg.http.cors_origins[0] == "https://a.example");
  CHECK(cfg.http.cors_origins[1] == "http://localhost:3000");
}

TEST_CASE("no variable is declared by two features of one program") {
  auto unique = [](const std::vector<variable_info>& vars) {
    std::set<std::string_view> names;
    for (const auto& var : vars) {
      INFO(var.name);
      CHECK(names.insert(var.name).second);
    }
  };
  unique(variables_of<api_settings>());
  unique(variables_of<worker_settings>());
  unique(variables_of<cron_settings>());
}

TEST_CASE("mail: SMTP_URL alone selects SMTP, and production refuses the log transport") {
  auto worker = [](std::map<std::string, std::string> values) {
    values["DATABASE_URL"] = "postgresql://h/db";
    return load_config<worker_settings>(env_of(std::move(values)));
  };
  CHECK(worker({}).mail.transport == "log");
  CHECK(worker({{"SMTP_URL", "smtp://h:587"}}).mail.transport == "smtp");
  CHECK(worker({{"SMTP_URL", "smtp://h:587"}, {"MAIL_TRANSPORT", "log"}}).mail.transport == "log");
  CHECK(worker({{"APP_ENV", "production"}, {"SMTP_URL", "smtp://h:587"}}).mail.transport == "smtp");
  auto problems_of = [&](std::map<std::string, std::string> values) {
    try {
      worker(std::move(values));
    } catch (const config_error& e) {
      return e.problems();
    }
    return std::vector<std::string>{};
  };
  auto none = problems_of({{"APP_ENV", "production"}});
  REQUIRE(none.size() == 2);
  CHECK(none[0].find("MAIL_TRANSPORT=log is refused when APP_ENV=production") == 0);
  CHECK(none[1] == "SMTP_URL is required when APP_ENV=production");
  auto log = problems_of(
      {{"APP_ENV", "production"}, {"MAIL_TRANSPORT", "log"}, {"SMTP_URL", "smtp://u:hunter2@h"}});
  REQUIRE(log.size() == 1);
  CHECK(log[0].find("MAIL_TRANSPORT=log is refused") == 0);
  auto bad_url = problems_of({{"SMTP_URL", "https://u:hunter2@h"}, {"MAIL_FROM", "nobody"}});
  REQUIRE(bad_url.size() == 2);
  CHECK(bad_url[0].find("SMTP_URL must start with smtp://") == 0);
  CHECK(bad_url[1].find("MAIL_FROM") == 0);
  for (const auto& p : bad_url) CHECK(p.find("hunter2") == std::string::npos);
}

TEST_CASE("APP_ENV is development unless it says production") {
  auto only_db = env_of({{"DATABASE_URL", "postgresql://u@h/db"}});
  CHECK_FALSE(load_config<cron_settings>(only_db).runtime.production());
  CHECK(load_config<cron_settings>(
            env_of({{"DATABASE_URL", "postgresql://u@h/db"}, {"APP_ENV", "production"}}))
            .runtime.production());
  CHECK_THROWS_AS(load_config<cron_settings>(
                      env_of({{"DATABASE_URL", "postgresql://u@h/db"}, {"APP_ENV", "prod"}})),
                  config_error);
}

TEST_CASE(".env.example lists exactly the declared variables with their defaults") {
  std::ifstream in(std::string(KEEL_SOURCE_DIR) + "/.env.example");
  REQUIRE(in);
  std::regex assignment(R"(^#?\s*([A-Z][A-Z0-9_]*)=(.*)$)");
  std::map<std::string, std::string> listed;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, assignment)) listed[m[1]] = m[2];
  }
  // The union of what the three programs read: each the features it links.
  std::vector<variable_info> all = variables_of<api_settings>();
  for (const auto& var : variables_of<worker_settings>()) all.push_back(var);
  for (const auto& var : variables_of<cron_settings>()) all.push_back(var);
  std::set<std::string> declared;
  for (const auto& var : all) {
    declared.insert(std::string(var.name));
    INFO(var.name);
    REQUIRE(listed.count(std::string(var.name)) == 1);
    if (!var.required && !var.secret) CHECK(listed[std::string(var.name)] == var.default_value);
  }
  for (const auto& [name, value] : listed) {
    INFO(name);
    CHECK(declared.count(name) == 1);
  }
}
