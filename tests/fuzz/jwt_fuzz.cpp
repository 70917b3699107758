// Access tokens as clients send them: the Authorization header's scheme, then JWT parsing and
// verification. Forged signatures end at the signature check, so the first byte can also ask
// for the header and payload segments to be signed with the verifying key first: that reaches
// the claims checks with any bytes a signed token could hold.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/auth/jwt.hpp"
#include "core/auth/secrets.hpp"
#include "core/runtime/error.hpp"

namespace {

using keel::auth::keyset;

// 32 bytes of 7, base64url: a fixed key, so that every run verifies alike.
constexpr std::string_view seed = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc";
constexpr std::int64_t now = 1'700'000'000;
const std::string issuer = "keel";

const keyset& keys() {
  static const keyset k = keyset::parse("fuzz:" + std::string(seed));
  return k;
}

// base64url(header) "." base64url(payload) "." the Ed25519 signature of both under `seed`.
std::string signed_token(std::string_view header, std::string_view payload) {
  auto seed_bytes = keel::auth::base64url_decode(seed);
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES], secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(public_key, secret_key,
                           reinterpret_cast<const unsigned char*>(seed_bytes->data()));
  std::string token =
      keel::auth::base64url_encode(header) + "." + keel::auth::base64url_encode(payload);
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), secret_key);
  return token + "." +
         keel::auth::base64url_encode({reinterpret_cast<const char*>(signature), sizeof signature});
}

void verify(std::string_view token) {
  try {
    auto claims = keys().verify(token, now, issuer);
    // Accepted: then every promise of verify() holds.
    if (claims.iss != issuer || claims.exp <= now || claims.iat > now + 30) std::abort();
    if (claims.sub.empty() || claims.sid.empty() || claims.role.empty()) std::abort();
  } catch (const keel::unauthorized& e) {
    if (e.code() != "invalid_token") std::abort();  // what the 401's code tells the client
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  (void)keys();  // initialises libsodium before signed_token() uses it
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:  // the header's value, as check_session reads it
      if (auto token = keel::auth::bearer_token(rest)) verify(*token);
      break;
    case 1:  // a bare token (a realtime ticket request, a test client)
      verify(rest);
      break;
    default: {  // header NUL payload, signed by our key
      auto nul = rest.find('\0');
      auto payload = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
      verify(signed_token(rest.substr(0, nul), payload));
    }
  }
  return 0;
}
