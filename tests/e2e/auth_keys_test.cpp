// Access-token signing keys around the programs: auth.keygen, and keel-api's start-up check.
#include <catch2/catch.hpp>

#include "../support/api_server.hpp"
#include "../support/process.hpp"
#include "core/auth/jwt.hpp"

using namespace keel;
using namespace keel::test;

TEST_CASE("keel-cron run auth.keygen prints one fresh kid:seed entry and needs no database") {
  std::string entries[2];
  for (auto& entry : entries) {
    process p(binary("keel-cron"), {"run", "auth.keygen"}, {{"DATABASE_URL", ""}});
    REQUIRE(p.wait(std::chrono::seconds(10)) == 0);
    entry = p.output();
    INFO(entry);
    REQUIRE(entry.size() > 1);
    REQUIRE(entry.back() == '\n');
    entry.pop_back();
    CHECK(entry.find('\n') == std::string::npos);  // nothing else on stdout: no log line
    CHECK(entry.rfind("k", 0) == 0);
    auto keys = auth::keyset::parse(entry);
    CHECK(keys.signing_kid() == entry.substr(0, entry.find(':')));
  }
  CHECK(entries[0] != entries[1]);
}

TEST_CASE("keel-cron run auth.keygen KID uses that kid and refuses a bad one") {
  process named(binary("keel-cron"), {"run", "auth.keygen", "primary-2"}, {{"DATABASE_URL", ""}});
  REQUIRE(named.wait(std::chrono::seconds(10)) == 0);
  CHECK(named.output().rfind("primary-2:", 0) == 0);

  process bad(binary("keel-cron"), {"run", "auth.keygen", "not a kid"}, {{"DATABASE_URL", ""}});
  auto status = bad.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 1);

  process help(binary("keel-cron"), {"run", "auth.keygen", "--help"}, {});
  REQUIRE(help.wait(std::chrono::seconds(10)) == 0);
  CHECK(help.output().find("JWT_SIGNING_KEYS") != std::string::npos);
}

TEST_CASE("keel-api refuses to start with unusable signing keys, without printing the seed") {
  std::string seed = "c2VjcmV0LXNlZWQtdGhhdC1pcy10b28tc2hvcnQ";  // 29 bytes: too short
  process p(binary("keel-api"), {},
            {{"DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none"},
             {"PORT", "0"},
             {"JWT_SIGNING_KEYS", std::string(test_signing_keys) + ",k2:" + seed}});
  auto status = p.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  auto out = p.output();
  INFO(out);
  CHECK(out.find("JWT_SIGNING_KEYS entry 2") != std::string::npos);
  CHECK(out.find(seed.substr(0, 10)) == std::string::npos);
  std::string test_seed = std::string(test_signing_keys).substr(5);
  CHECK(out.find(test_seed.substr(0, 10)) == std::string::npos);
}

TEST_CASE("keel-api refuses to start without signing keys") {
  process p(binary("keel-api"), {},
            {{"DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none"}, {"JWT_SIGNING_KEYS", ""}});
  auto status = p.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  CHECK(p.output().find("JWT_SIGNING_KEYS is required") != std::string::npos);
}

TEST_CASE("keel-api started by the tests has a working signing key") {
  api_server api;
  CHECK(api.get("/health").status == 200);
  CHECK(auth::keyset::parse(test_signing_keys).signing_kid() == "test");
}
