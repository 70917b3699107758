// EdDSA access tokens: what keyset::verify accepts and every way a token is refused.
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <stdexcept>

#include "core/auth/jwt.hpp"
#include "core/auth/secrets.hpp"
#include "core/runtime/error.hpp"

using namespace keel::auth;

namespace {

constexpr std::int64_t now = 1'750'000'000;
const std::string issuer = "keel-test";

std::string seed_of(char fill) {
  return base64url_encode(std::string(32, fill));
}

access_claims claims_at(std::int64_t iat, std::int64_t exp) {
  return {
      .iss = issuer, .sub = "user-1", .sid = "session-1", .role = "member", .iat = iat, .exp = exp};
}

// A token made by hand: any header and payload, signed with Ed25519 under `seed`.
std::string forge(const std::string& header, const std::string& payload, char seed_fill = 'a') {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  std::string seed(32, seed_fill);
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
  std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size(), sk);
  return input + "." + base64url_encode(std::string(reinterpret_cast<char*>(sig), sizeof sig));
}

const std::string good_header = R"({"alg":"EdDSA","typ":"JWT","kid":"k1"})";
const std::string good_payload =
    R"({"iss":"keel-test","sub":"user-1","sid":"session-1","role":"member","iat":1750000000,"exp":1750000900})";

// The detail of the refusal, or "accepted". Every refusal must be unauthorized/invalid_token.
std::string refusal(const keyset& keys, const std::string& token, std::int64_t at = now) {
  try {
    keys.verify(token, at, issuer);
    return "accepted";
  } catch (const keel::unauthorized& e) {
    CHECK(e.code() == "invalid_token");
    return e.detail();
  }
}

bool mentions(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

}  // namespace

TEST_CASE("a signed token verifies and gives back its claims") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  auto token = keys.sign(claims_at(now, now + 900));
  auto claims = keys.verify(token, now, issuer);
  CHECK(claims.iss == issuer);
  CHECK(claims.sub == "user-1");
  CHECK(claims.sid == "session-1");
  CHECK(claims.role == "member");
  CHECK(claims.iat == now);
  CHECK(claims.exp == now + 900);
  CHECK(keys.signing_kid() == "k1");
  // The hand-made token with the same key and claims is accepted too: the format is standard.
  CHECK(refusal(keys, forge(good_header, good_payload)) == "accepted");
}

TEST_CASE("the header names EdDSA, JWT and the signing kid") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  auto token = keys.sign(claims_at(now, now + 900));
  auto header = base64url_decode(token.substr(0, token.find('.')));
  REQUIRE(header);
  auto h = boost::json::parse(*header).as_object();
  CHECK(h.at("alg") == "EdDSA");
  CHECK(h.at("typ") == "JWT");
  CHECK(h.at("kid") == "k1");
}

TEST_CASE("a token whose payload or signature was changed is refused") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  auto token = keys.sign(claims_at(now, now + 900));
  auto dot1 = token.find('.');
  auto dot2 = token.rfind('.');

  std::string admin_payload =
      R"({"iss":"keel-test","sub":"user-1","sid":"session-1","role":"admin","iat":1750000000,"exp":1750000900})";
  std::string tampered_payload =
      token.substr(0, dot1 + 1) + base64url_encode(admin_payload) + token.substr(dot2);
  CHECK(mentions(refusal(keys, tampered_payload), "signature"));

  std::string tampered_signature = token;
  char& c = tampered_signature[dot2 + 10];  // inside the segment: still canonical base64url
  c = c == 'A' ? 'B' : 'A';
  CHECK(mentions(refusal(keys, tampered_signature), "signature"));

  std::string truncated_signature = token.substr(0, token.size() - 4);
  CHECK(refusal(keys, truncated_signature) != "accepted");
}

TEST_CASE("alg none and HS256 keyed with the public key are refused") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  std::string payload = base64url_encode(good_payload);

  for (std::string alg : {"none", "None", "NONE"}) {
    std::string header = base64url_encode(R"({"alg":")" + alg + R"(","typ":"JWT","kid":"k1"})");
    CHECK(mentions(refusal(keys, header + "." + payload + "."), "algorithm"));
    CHECK(mentions(refusal(keys, header + "." + payload + ".c2ln"), "algorithm"));
  }
  CHECK(mentions(
      refusal(keys, base64url_encode(R"({"typ":"JWT","kid":"k1"})") + "." + payload + ".c2ln"),
      "algorithm"));

  // The classic confusion: HMAC-SHA-256 with the verifier's public key (as published in the
  // JWKS, and as raw bytes) as the secret.
  auto jwks = boost::json::parse(keys.jwks_json());
  std::string x = std::string(jwks.at("keys").at(0).at("x").as_string());
  std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT","kid":"k1"})");
  std::string input = header + "." + payload;
  for (const std::string& secret : {x, *base64url_decode(x)}) {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                  input.size());
    crypto_auth_hmacsha256_final(&st, mac);
    std::string token =
        input + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), sizeof mac));
    CHECK(mentions(refusal(keys, token), "algorithm"));
  }
}

TEST_CASE("a token from an unknown kid, or from another key under a known kid, is refused") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  auto stranger = keyset::parse("k9:" + seed_of('z'));
  CHECK(mentions(refusal(keys, stranger.sign(claims_at(now, now + 900))), "unknown key"));
  CHECK(mentions(refusal(keys, forge(R"({"alg":"EdDSA","typ":"JWT"})", good_payload)),
                 "unknown key"));
  CHECK(mentions(refusal(keys, forge(R"({"alg":"EdDSA","kid":7})", good_payload)), "unknown key"));

  auto impostor = keyset::parse("k1:" + seed_of('z'));
  CHECK(mentions(refusal(keys, impostor.sign(claims_at(now, now + 900))), "signature"));
}

TEST_CASE("expired tokens are refused at exp, with no leeway") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  auto token = keys.sign(claims_at(now - 900, now));
  CHECK(refusal(keys, token, now - 1) == "accepted");
  CHECK(mentions(refusal(keys, token, now), "expired"));
  CHECK(mentions(refusal(keys, token, now + 3600), "expired"));
}

TEST_CASE("tokens issued or valid only in the future are refused beyond the leeway") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  CHECK(refusal(keys, keys.sign(claims_at(now + 30, now + 900))) == "accepted");
  CHECK(mentions(refusal(keys, keys.sign(claims_at(now + 31, now + 900))), "not valid yet"));
  CHECK_THROWS_AS(keys.verify(keys.sign(claims_at(now + 5, now + 900)), now, issuer, 0),
                  keel::unauthorized);

  std::string later =
      R"({"iss":"keel-test","sub":"u","sid":"s","role":"member","iat":1750000000,"exp":1750000900,"nbf":1750000100})";
  std::string soon =
      R"({"iss":"keel-test","sub":"u","sid":"s","role":"member","iat":1750000000,"exp":1750000900,"nbf":1750000010})";
  CHECK(mentions(refusal(keys, forge(good_header, later)), "not valid yet"));
  CHECK(refusal(keys, forge(good_header, soon)) == "accepted");
}

TEST_CASE("a token for another issuer is refused") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  auto token = keys.sign(claims_at(now, now + 900));
  CHECK_THROWS_AS(keys.verify(token, now, "someone-else"), keel::unauthorized);
  auto other = claims_at(now, now + 900);
  other.iss = "keel-staging";
  CHECK(mentions(refusal(keys, keys.sign(other)), "issuer"));
}

TEST_CASE("a signed token that lacks a claim or has a malformed one is refused") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  for (
      const char* payload : {
          R"({"iss":"keel-test","sid":"s","role":"member","iat":1750000000,"exp":1750000900})",
          R"({"iss":"keel-test","sub":"u","role":"member","iat":1750000000,"exp":1750000900})",
          R"({"iss":"keel-test","sub":"u","sid":"s","iat":1750000000,"exp":1750000900})",
          R"({"iss":"keel-test","sub":"u","sid":"s","role":"member","exp":1750000900})",
          R"({"iss":"keel-test","sub":"u","sid":"s","role":"member","iat":1750000000})",
          R"({"sub":"u","sid":"s","role":"member","iat":1750000000,"exp":1750000900})",
          R"({"iss":"keel-test","sub":"","sid":"s","role":"member","iat":1750000000,"exp":1750000900})",
      }) {
    INFO(payload);
    CHECK(mentions(refusal(keys, forge(good_header, payload)), "claim"));
  }
  for (
      const char* payload : {
          R"({"iss":"keel-test","sub":"u","sid":"s","role":"member","iat":1750000000,"exp":"1750000900"})",
          R"({"iss":"keel-test","sub":"u","sid":"s","role":"member","iat":1750000000.5,"exp":1750000900})",
          R"({"iss":"keel-test","sub":"u","sid":"s","role":"member","iat":1750000000,"exp":1750000900,"nbf":"x"})",
          R"({"iss":"keel-test","sub":1,"sid":"s","role":"member","iat":1750000000,"exp":1750000900})",
          R"(["not","an","object"])",
          R"(not json)",
      }) {
    INFO(payload);
    CHECK(refusal(keys, forge(good_header, payload)) != "accepted");
  }
}

TEST_CASE("malformed tokens are refused: segment counts, base64url, JSON") {
  auto keys = keyset::parse("k1:" + seed_of('a'));
  auto token = keys.sign(claims_at(now, now + 900));
  auto dot1 = token.find('.');
  auto dot2 = token.rfind('.');
  std::string header = token.substr(0, dot1);
  std::string payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string signature = token.substr(dot2 + 1);
  for (const std::string& bad : {
           std::string(),
           std::string("."),
           std::string(".."),
           std::string("..."),
           std::string("abc"),
           header + "." + payload,
           header + "." + payload + "." + signature + ".",
           token + "." + signature,
           "." + payload + "." + signature,
           header + ".." + signature,
           header + "." + payload + ".",
           header + "=." + payload + "." + signature,       // padding
           header + "." + payload + "." + signature + "=",  // padding
           "!!!!." + payload + "." + signature,
           base64url_encode("not json") + "." + payload + "." + signature,
           base64url_encode("[1,2]") + "." + payload + "." + signature,
           base64url_encode(R"({"alg":"EdDSA","kid":"k1","crit":["exp"]})") + "." + payload + "." +
               signature,
           header + "." + payload + "." + base64url_encode(std::string(63, 'x')),
           token + std::string(9000, 'A'),
       }) {
    INFO(bad.substr(0, 200));
    CHECK(refusal(keys, bad) != "accepted");
  }
}

TEST_CASE("rotation: the first key signs, a token of the old second key still verifies") {
  std::string old_entry = "old:" + seed_of('o');
  auto before = keyset::parse(old_entry);
  auto old_token = before.sign(claims_at(now, now + 900));

  auto after = keyset::parse("new:" + seed_of('n') + ", " + old_entry);
  CHECK(after.signing_kid() == "new");
  CHECK(after.verify(old_token, now, issuer).sub == "user-1");
  auto new_token = after.sign(claims_at(now, now + 900));
  CHECK(mentions(base64url_decode(new_token.substr(0, new_token.find('.'))).value(), "\"new\""));
  CHECK(after.verify(new_token, now, issuer).sub == "user-1");
  // Keys that dropped the new one (a rollback) do not know its tokens.
  CHECK(mentions(refusal(before, new_token), "unknown key"));
}

TEST_CASE("the JWKS publishes every public key as an Ed25519 OKP") {
  auto keys = keyset::parse("k1:" + seed_of('a') + ",k2:" + seed_of('b'));
  auto jwks = boost::json::parse(keys.jwks_json());
  auto& list = jwks.at("keys").as_array();
  REQUIRE(list.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    auto& k = list[i].as_object();
    CHECK(k.at("kty") == "OKP");
    CHECK(k.at("crv") == "Ed25519");
    CHECK(k.at("alg") == "EdDSA");
    CHECK(k.at("use") == "sig");
    CHECK(k.at("kid") == (i == 0 ? "k1" : "k2"));
    CHECK_FALSE(k.contains("d"));  // never the private part

    unsigned char pk[32], sk[64];
    std::string seed(32, i == 0 ? 'a' : 'b');
    crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
    CHECK(base64url_decode(std::string(k.at("x").as_string())) ==
          std::string(reinterpret_cast<char*>(pk), 32));
  }
}

TEST_CASE("keyset::parse names the bad entry and never echoes a seed") {
  std::string seed = seed_of('s');  // "c3Nz..."
  std::string good = "k1:" + seed;
  std::string short_seed = seed.substr(0, 20);
  for (const std::string& bad : {
           std::string(),
           std::string(" , "),
           good + ",",
           "k2:" + short_seed,
           "k2:" + seed + "=",
           "k2:" + seed + "A",
           "k2:" + seed.substr(0, 42) + "!",
           seed,                      // the kid forgotten
           seed + seed + ":" + seed,  // a "kid" that is a seed
           "bad kid:" + seed,
           ":" + seed,
           good + ",k1:" + seed,  // a repeated kid
           good + ",k2:" + short_seed,
       }) {
    INFO(bad);
    try {
      keyset::parse(bad);
      FAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
      std::string message = e.what();
      CHECK(mentions(message, "JWT_SIGNING_KEYS"));
      CHECK_FALSE(mentions(message, seed.substr(0, 12)));
      CHECK_FALSE(mentions(message, short_seed.substr(0, 12)));
    }
  }
  try {
    keyset::parse(good + ",k2:" + short_seed);
  } catch (const std::invalid_argument& e) {
    CHECK(mentions(e.what(), "entry 2"));
    CHECK(mentions(e.what(), "k2"));
  }
}

TEST_CASE("new_signing_key_entry makes a usable, fresh kid:seed entry") {
  std::string a = new_signing_key_entry("k-2025.1_x");
  std::string b = new_signing_key_entry("k-2025.1_x");
  CHECK(a != b);
  CHECK(a.rfind("k-2025.1_x:", 0) == 0);
  CHECK(a.size() == std::string("k-2025.1_x:").size() + 43);
  auto keys = keyset::parse(a + "," + new_signing_key_entry("other"));
  CHECK(keys.signing_kid() == "k-2025.1_x");
  CHECK(keys.verify(keys.sign(claims_at(now, now + 60)), now, issuer).sid == "session-1");
  CHECK_THROWS_AS(new_signing_key_entry(""), std::invalid_argument);
  CHECK_THROWS_AS(new_signing_key_entry("a:b"), std::invalid_argument);
  CHECK_THROWS_AS(new_signing_key_entry(std::string(65, 'k')), std::invalid_argument);
}
