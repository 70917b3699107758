// EdDSA (Ed25519) JWT access tokens: signing, verification and the JWKS, with key rotation.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keel::auth {

// What an access token says. Only these claims are issued and all of them are required.
struct access_claims {
  std::string iss, sub /*user id*/, sid /*session id*/, role;
  std::int64_t iat = 0, exp = 0;  // seconds since the epoch
};

// JWT_SIGNING_KEYS: comma-separated "kid:seed" entries, seed = 32 random bytes base64url.
// The first key signs; every key verifies (rotation: put the new key first, drop the old one
// once every token it signed has expired).
class keyset {
 public:
  // Throws std::invalid_argument naming the bad entry (by position and, when it is well
  // formed, its kid), never echoing the seed.
  static keyset parse(std::string_view config_value);

  // A compact JWS, header {"alg":"EdDSA","typ":"JWT","kid":...}.
  std::string sign(const access_claims& claims) const;

  // Throws keel::unauthorized(detail, "invalid_token") for anything wrong: malformed, alg
  // other than EdDSA (including "none"), unknown kid, bad signature, exp <= now, iat/nbf in
  // the future (beyond `leeway` seconds), wrong iss, missing claims.
  access_claims verify(std::string_view token, std::int64_t now, const std::string& issuer,
                       std::int64_t leeway = 30) const;

  // {"keys":[{"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"alg":"EdDSA","use":"sig"}]}:
  // the public half of every key, for /.well-known/jwks.json.
  std::string jwks_json() const;

  const std::string& signing_kid() const;

  struct key {
    std::string kid;
    std::array<unsigned char, 32> public_key{};
    std::array<unsigned char, 64> secret_key{};  // wiped on destruction
    key() = default;
    key(const key&) = default;
    key& operator=(const key&) = default;
    ~key();
  };

 private:
  std::vector<key> keys_;  // keys_[0] signs
};

// The token of an Authorization header ("Bearer <token>", the scheme in any case, RFC 9110
// 11.1); nullopt for another scheme or none.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// A fresh "kid:seed" entry for JWT_SIGNING_KEYS (keel-cron run auth.keygen, dev.sh).
// Throws std::invalid_argument for a kid that is not 1-64 of A-Z a-z 0-9 . _ -
std::string new_signing_key_entry(std::string_view kid);

}  // namespace keel::auth
