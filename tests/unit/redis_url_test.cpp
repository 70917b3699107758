// Reading REDIS_URL: hosts, ports, credentials, database; what is refused.
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
  CHECK_FALSE(parse_url("rediss://h:6379"));  // TLS: not in Debian 12's hiredis
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
    if (name == "REDIS_URL") return "rediss://:hunter2@cache:6379";
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
