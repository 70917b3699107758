// Access tokens end to end: keel-api refuses forged, tampered, expired and `alg: none` tokens,
// and a standard JOSE library (npm jose) verifies ours from the JWKS alone.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>

#include "auth_stack.hpp"
#include "core/auth/jwt.hpp"
#include "core/auth/secrets.hpp"
#include "expect_problem.hpp"

using namespace std::chrono_literals;
using keel::test::auth_stack;
using keel::test::bearer;
using keel::test::expect_problem;
using keel::test::str;
namespace auth = keel::auth;

namespace {

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A server whose signing key the test knows, and a signed-in user on it.
struct signed_in {
  std::string key = auth::new_signing_key_entry("test-key");
  auth_stack s{keel::test::env_vars{{"JWT_SIGNING_KEYS", key}}};
  boost::json::object tokens = s.register_user(keel::test::unique_address());
  std::string access = str(tokens.at("access_token"));

  // The claims of the real token, for forging look-alikes.
  auth::access_claims claims() const {
    auto payload = auth::base64url_decode(
        access.substr(access.find('.') + 1, access.rfind('.') - access.find('.') - 1));
    REQUIRE(payload.has_value());
    auto json = boost::json::parse(*payload).as_object();
    return {.iss = str(json.at("iss")),
            .sub = str(json.at("sub")),
            .sid = str(json.at("sid")),
            .role = str(json.at("role")),
            .iat = json.at("iat").as_int64(),
            .exp = json.at("exp").as_int64()};
  }
};

std::string segment(const boost::json::object& o) {
  return auth::base64url_encode(boost::json::serialize(o));
}

}  // namespace

TEST_CASE("the access token carries the documented header and claims", "[auth]") {
  signed_in t;
  auto header = auth::base64url_decode(t.access.substr(0, t.access.find('.')));
  REQUIRE(header.has_value());
  auto h = boost::json::parse(*header).as_object();
  CHECK(str(h.at("alg")) == "EdDSA");
  CHECK(str(h.at("kid")) == "test-key");
  auto c = t.claims();
  CHECK(c.iss == "keel");
  CHECK(c.sub == str(t.tokens.at("user").at("id")));
  CHECK(!c.sid.empty());
  CHECK(c.role == "user");
  CHECK(c.exp - c.iat == 900);
}

TEST_CASE("keel-api refuses tampered, alg none, unknown-kid and expired tokens", "[auth]") {
  signed_in t;
  REQUIRE(t.s.me(t.access).status == 200);
  auto claims = t.claims();

  SECTION("a payload edited to claim the admin role") {
    auto forged = claims;
    forged.role = "admin";
    auto ks = auth::keyset::parse(auth::new_signing_key_entry("test-key"));
    auto other = ks.sign(forged);
    // Our header and signature around the edited payload.
    auto tampered = t.access.substr(0, t.access.find('.')) +
                    other.substr(other.find('.'), other.rfind('.') - other.find('.')) +
                    t.access.substr(t.access.rfind('.'));
    expect_problem(t.s.me(tampered), 401, "invalid_token");
  }
  SECTION("alg none") {
    boost::json::object header{{"alg", "none"}, {"typ", "JWT"}, {"kid", "test-key"}};
    auto payload =
        t.access.substr(t.access.find('.') + 1, t.access.rfind('.') - t.access.find('.') - 1);
    expect_problem(t.s.me(segment(header) + "." + payload + "."), 401, "invalid_token");
  }
  SECTION("signed by a key the server does not have") {
    auto stranger = auth::keyset::parse(auth::new_signing_key_entry("other-key"));
    expect_problem(t.s.me(stranger.sign(claims)), 401, "invalid_token");
    auto same_kid = auth::keyset::parse(auth::new_signing_key_entry("test-key"));
    expect_problem(t.s.me(same_kid.sign(claims)), 401, "invalid_token");
  }
  SECTION("expired, and not yet valid") {
    auto server_keys = auth::keyset::parse(t.key);
    auto expired = claims;
    expired.iat = now() - 3600;
    expired.exp = now() - 60;
    expect_problem(t.s.me(server_keys.sign(expired)), 401, "invalid_token");
    auto future = claims;
    future.iat = now() + 3600;
    future.exp = now() + 7200;
    expect_problem(t.s.me(server_keys.sign(future)), 401, "invalid_token");
    // The same key and claims, in date, work: the refusals above were for the dates.
    auto fresh = claims;
    fresh.iat = now();
    fresh.exp = now() + 60;
    CHECK(t.s.me(server_keys.sign(fresh)).status == 200);
  }
  SECTION("garbage") {
    expect_problem(t.s.me("not.a.jwt"), 401, "invalid_token");
    expect_problem(t.s.me(""), 401, "unauthorized");
  }
}

TEST_CASE("npm jose verifies keel's access tokens from /.well-known/jwks.json alone", "[auth]") {
  const char* jose_dir = std::getenv("KEEL_TEST_JOSE_DIR");
  if (jose_dir == nullptr)
    FAIL("KEEL_TEST_JOSE_DIR is not set: run the tests with deploy/local/test.sh");
  signed_in t;
  auto jwks = t.s.api.get("/.well-known/jwks.json");
  REQUIRE(jwks.status == 200);
  auto keys = jwks.json().at("keys").as_array();
  REQUIRE(keys.size() == 1);
  CHECK(str(keys[0].at("kty")) == "OKP");
  CHECK(str(keys[0].at("crv")) == "Ed25519");
  CHECK(str(keys[0].at("kid")) == "test-key");
  CHECK(!keys[0].as_object().contains("d"));  // never the private part

  std::string path = "/tmp/keel-jwks-" + std::to_string(t.s.api.port()) + ".json";
  std::ofstream(path) << jwks.body;
  auto verify = [&](const std::string& token) {
    keel::test::process node("/usr/bin/node",
                             {std::string(jose_dir) + "/verify.mjs", path, token, "keel"}, {});
    auto status = node.wait(30s);
    REQUIRE(status.has_value());
    return std::make_pair(*status, node.output());
  };
  auto [ok, printed] = verify(t.access);
  INFO(printed);
  CHECK(ok == 0);
  CHECK(printed.find(str(t.tokens.at("user").at("id"))) != std::string::npos);
  auto stranger = auth::keyset::parse(auth::new_signing_key_entry("test-key"));
  CHECK(verify(stranger.sign(t.claims())).first != 0);
  std::remove(path.c_str());
}
