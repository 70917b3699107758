// Reading REDIS_URL: hosts, ports, credentials, database, TLS; what is refused.
#include <catch2/catch.hpp>

#include "api/settings.hpp"
#include "core/redis/url.hpp"
#include "core/runtime/config.hpp"

using keel::redis::parse_url;

TEST_CASE("a plain redis:// URL gives host, default port 6379 and database 0") {
  auto e = parse_url("redis://127.0.0.1");
  REQUIRE(e);
  CHECK(e->host == "127.0.0.1");
  CHECK(e->port == 6379);
  CHECK(e->database == 0);
  CHECK(e->password.empty());
  CHECK(e->username.empty());
  CHECK_FALSE(e->tls);
}

TEST_CASE("a rediss:// URL asks for TLS and is read like a redis:// one") {
  auto e = parse_url("rediss://default:p%40ss@db-valkey-nyc1-1.db.ondigitalocean.com:25061/2");
  REQUIRE(e);
  CHECK(e->tls);
  CHECK(e->host == "db-valkey-nyc1-1.db.ondigitalocean.com");
  CHECK(e->port == 25061);
  CHECK(e->database == 2);
  CHECK(e->username == "default");
  CHECK(e->password == "p@ss");
  auto bare = parse_url("rediss://127.0.0.1");
  REQUIRE(bare);
  CHECK(bare->tls);
  CHECK(bare->port == 6379);
  CHECK_FALSE(parse_url("rediss://"));
  CHECK_FALSE(parse_url("rediss://h:0"));
  CHECK_FALSE(parse_url("redisss://h"));
  CHECK_FALSE(parse_url("REDISS://h"));
}

TEST_CASE("port, database, user and percent-encoded password are read") {
  auto e = parse_url("redis://app:p%40ss%3Aword@cache.internal:6380/3");
  REQUIRE(e);
  CHECK(e->host == "cache.internal");
  CHECK(e->port == 6380);
  CHECK(e->database == 3);
  CHECK(e->username == "app");
  CHECK(e->password == "p@ss:word");
  auto password_only = parse_url("redis://:secret@h/0");
  REQUIRE(password_only);
  CHECK(password_only->username.empty());
  CHECK(password_only->password == "secret");
  auto bare_secret = parse_url("redis://secret@h");
  REQUIRE(bare_secret);
  CHECK(bare_secret->password == "secret");
  auto v6 = parse_url("redis://[::1]:7000");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 7000);
}

TEST_CASE("URLs keel cannot use are refused") {
  CHECK_FALSE(parse_url("http://h"));
  CHECK_FALSE(parse_url("redis://"));
  CHECK_FALSE(parse_url("redis://h:0"));
  CHECK_FALSE(parse_url("redis://h:99999"));
  CHECK_FALSE(parse_url("redis://h:port"));
  CHECK_FALSE(parse_url("redis://h/db"));
  CHECK_FALSE(parse_url("redis://:bad%zz@h"));
  CHECK_FALSE(parse_url("redis://[::1"));
}

TEST_CASE("a bad REDIS_URL is a configuration problem that does not echo the URL") {
  auto env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "DATABASE_URL") return "postgresql://u@h/db";
    if (name == "REDIS_URL") return "rediss://:hunter2@cache:port";
    return std::nullopt;
  };
  try {
    keel::runtime::load_config<keel::api::settings>(env);
    FAIL("load_config accepted the URL");
  } catch (const keel::runtime::config_error& e) {
    std::string message = e.what();
    CHECK(message.find("REDIS_URL") != std::string::npos);
    CHECK(message.find("hunter2") == std::string::npos);
  }
}

namespace {

// The problems load_config reports for these Redis variables (with a valid DATABASE_URL).
std::string problems_with(std::optional<std::string> url, std::optional<std::string> ca_file) {
  auto env = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "DATABASE_URL") return "postgresql://u@h/db";
    if (name == "REDIS_URL") return url;
    if (name == "REDIS_CA_FILE") return ca_file;
    return std::nullopt;
  };
  try {
    keel::runtime::load_config<keel::api::settings>(env);
  } catch (const keel::runtime::config_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("REDIS_CA_FILE must be readable and goes only with a rediss:// URL") {
  CHECK(problems_with("rediss://:pw@cache:25061", std::nullopt).find("REDIS") == std::string::npos);
  CHECK(problems_with("rediss://:pw@cache:25061", "/etc/passwd").find("REDIS") ==
        std::string::npos);
  CHECK(problems_with("rediss://:pw@cache:25061", "/no/such/ca.pem").find("REDIS_CA_FILE") !=
        std::string::npos);
  auto plain = problems_with("redis://:pw@cache:6379", "/etc/passwd");
  CHECK(plain.find("REDIS_CA_FILE") != std::string::npos);
  CHECK(plain.find("pw@") == std::string::npos);
}
