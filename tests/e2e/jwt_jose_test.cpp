// keel's access tokens and JWKS as a standard JOSE library (npm jose, on Node) sees them.
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "../support/process.hpp"
#include "core/auth/jwt.hpp"

using namespace keel;
using namespace keel::test;

namespace {

// tests/e2e/jose with its node_modules (deploy/local/test.sh runs npm ci and sets this).
std::string jose_dir() {
  const char* dir = std::getenv("KEEL_TEST_JOSE_DIR");
  std::string path = dir != nullptr ? dir : std::string(KEEL_SOURCE_DIR) + "/tests/e2e/jose";
  INFO("run deploy/local/test.sh, or npm ci --prefix tests/e2e/jose");
  REQUIRE(std::filesystem::exists(path + "/node_modules/jose/package.json"));
  return path;
}

struct jose_result {
  int status = -1;
  std::string output;
};

jose_result jose_verify(const std::string& jwks_path, const std::string& token,
                        const std::string& issuer) {
  process node("/usr/bin/env", {"node", jose_dir() + "/verify.mjs", jwks_path, token, issuer}, {});
  auto status = node.wait(std::chrono::seconds(30));
  REQUIRE(status.has_value());
  return {*status, node.output()};
}

struct temp_file {
  std::string path =
      "/tmp/keel-test-jwks-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand());
  explicit temp_file(const std::string& content) { std::ofstream(path) << content; }
  ~temp_file() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("jose verifies a keel access token against keel's JWKS and reads the same claims") {
  auto keys = auth::keyset::parse(auth::new_signing_key_entry("k1") + "," +
                                  auth::new_signing_key_entry("k2"));
  temp_file jwks(keys.jwks_json());
  std::int64_t now = std::time(nullptr);
  auth::access_claims claims{.iss = "keel-e2e",
                             .sub = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
                             .sid = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c",
                             .role = "admin",
                             .iat = now,
                             .exp = now + 900};
  std::string token = keys.sign(claims);

  auto result = jose_verify(jwks.path, token, "keel-e2e");
  INFO(result.output);
  REQUIRE(result.status == 0);
  auto out = boost::json::parse(result.output).as_object();
  auto& header = out.at("header").as_object();
  CHECK(header.at("alg") == "EdDSA");
  CHECK(header.at("kid") == "k1");
  auto& payload = out.at("payload").as_object();
  CHECK(payload.at("iss").as_string() == claims.iss);
  CHECK(payload.at("sub").as_string() == claims.sub);
  CHECK(payload.at("sid").as_string() == claims.sid);
  CHECK(payload.at("role").as_string() == claims.role);
  CHECK(payload.at("iat").to_number<std::int64_t>() == claims.iat);
  CHECK(payload.at("exp").to_number<std::int64_t>() == claims.exp);
  CHECK(payload.size() == 6);

  // jose checks the issuer too: the same token for another issuer is refused.
  CHECK(jose_verify(jwks.path, token, "someone-else").status == 1);
}

TEST_CASE("jose refuses a tampered keel token and one signed by a key not in the JWKS") {
  auto keys = auth::keyset::parse(auth::new_signing_key_entry("k1"));
  temp_file jwks(keys.jwks_json());
  std::int64_t now = std::time(nullptr);
  auth::access_claims claims{
      .iss = "keel-e2e", .sub = "u1", .sid = "s1", .role = "member", .iat = now, .exp = now + 900};
  std::string token = keys.sign(claims);
  REQUIRE(jose_verify(jwks.path, token, "keel-e2e").status == 0);

  // The payload of a token for another role, under the original signature.
  auto admin_claims = claims;
  admin_claims.role = "admin";
  std::string admin = keys.sign(admin_claims);
  std::string spliced = token.substr(0, token.find('.')) +
                        admin.substr(admin.find('.'), admin.rfind('.') - admin.find('.')) +
                        token.substr(token.rfind('.'));
  REQUIRE(spliced != token);
  CHECK(jose_verify(jwks.path, spliced, "keel-e2e").status == 1);

  std::string flipped = token;
  char& c = flipped[flipped.rfind('.') + 10];
  c = c == 'A' ? 'B' : 'A';
  CHECK(jose_verify(jwks.path, flipped, "keel-e2e").status == 1);

  // Same kid, different key: a signer whose key the JWKS does not hold.
  auto stranger = auth::keyset::parse(auth::new_signing_key_entry("k1"));
  CHECK(jose_verify(jwks.path, stranger.sign(claims), "keel-e2e").status == 1);
  // Another kid altogether.
  auto other = auth::keyset::parse(auth::new_signing_key_entry("k9"));
  CHECK(jose_verify(jwks.path, other.sign(claims), "keel-e2e").status == 1);

  // Expired by jose's own clock.
  auto expired_claims = claims;
  expired_claims.iat = now - 1000;
  expired_claims.exp = now - 100;
  CHECK(jose_verify(jwks.path, keys.sign(expired_claims), "keel-e2e").status == 1);
}
