// Compact JWS with Ed25519 (RFC 8037) over Boost.JSON; libsodium does the cryptography.
#include "core/auth/jwt.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <limits>
#include <optional>
#include <stdexcept>

#include "core/auth/detail/sodium.hpp"
#include "core/auth/secrets.hpp"
#include "core/runtime/error.hpp"

namespace keel::auth {
namespace {

namespace json = boost::json;

constexpr std::size_t seed_bytes = crypto_sign_SEEDBYTES;
// Far above any token keel issues; stops a client from making the server decode megabytes.
constexpr std::size_t max_token_size = 8192;

static_assert(crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_SECRETKEYBYTES == 64);

[[noreturn]] void reject(std::string detail) {
  throw unauthorized(std::move(detail), "invalid_token");
}

bool valid_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > 64) return false;
  for (char c : kid) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view as_text(const unsigned char* bytes, std::size_t size) {
  return {reinterpret_cast<const char*>(bytes), size};
}

// A segment that is base64url of a JSON object; nullopt otherwise.
std::optional<json::object> decode_object(std::string_view segment) {
  auto text = base64url_decode(segment);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

const json::string* string_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v != nullptr ? v->if_string() : nullptr;
}

// Whole seconds only: a fraction or a number beyond int64 is not a NumericDate keel issues.
std::optional<std::int64_t> integer_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() &&
      v->get_uint64() <= std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

std::string required_string(const json::object& o, std::string_view name) {
  const json::string* s = string_member(o, name);
  if (s == nullptr || s->empty()) reject("The access token lacks a required claim.");
  return std::string(*s);
}

std::int64_t required_integer(const json::object& o, std::string_view name) {
  if (!o.contains(name)) reject("The access token lacks a required claim.");
  auto v = integer_member(o, name);
  if (!v) reject("The access token is malformed.");
  return *v;
}

}  // namespace

keyset::key::~key() {
  sodium_memzero(secret_key.data(), secret_key.size());
}

keyset keyset::parse(std::string_view config_value) {
  detail::init_sodium();
  keyset set;
  std::size_t position = 0;
  std::string_view rest = config_value;
  while (true) {
    auto comma = rest.find(',');
    std::string_view entry = trim(rest.substr(0, comma));
    ++position;
    // Messages name the entry by position and (once it is known to be well formed) by kid.
    // The seed never appears, nor does text that might be one (a kid that failed its check).
    if (entry.empty()) {
      throw std::invalid_argument(fmt::format(
          "JWT_SIGNING_KEYS entry {} is empty; expected kid:seed entries separated by commas",
          position));
    }
    auto colon = entry.find(':');
    if (colon == std::string_view::npos) {
      throw std::invalid_argument(
          fmt::format("JWT_SIGNING_KEYS entry {} is not of the form kid:seed", position));
    }
    std::string_view kid = entry.substr(0, colon);
    if (!valid_kid(kid)) {
      throw std::invalid_argument(fmt::format(
          "JWT_SIGNING_KEYS entry {} has an invalid kid: 1-64 characters of A-Z a-z 0-9 . _ -",
          position));
    }
    for (const auto& k : set.keys_) {
      if (k.kid == kid) {
        throw std::invalid_argument(
            fmt::format("JWT_SIGNING_KEYS entry {} repeats the kid {:?}", position, kid));
      }
    }
    auto seed = base64url_decode(entry.substr(colon + 1));
    if (!seed || seed->size() != seed_bytes) {
      if (seed) sodium_memzero(seed->data(), seed->size());
      throw std::invalid_argument(fmt::format(
          "JWT_SIGNING_KEYS entry {} (kid {:?}): the seed must be 32 bytes in unpadded base64url "
          "(keel-cron run auth.keygen makes one)",
          position, kid));
    }
    key k;
    k.kid = std::string(kid);
    crypto_sign_seed_keypair(k.public_key.data(), k.secret_key.data(),
                             reinterpret_cast<const unsigned char*>(seed->data()));
    sodium_memzero(seed->data(), seed->size());
    set.keys_.push_back(std::move(k));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return set;
}

std::string keyset::sign(const access_claims& claims) const {
  if (keys_.empty()) throw std::logic_error("keyset::sign on a keyset without keys");
  const key& k = keys_.front();
  json::object header{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", k.kid}};
  json::object payload{{"iss", claims.iss},   {"sub", claims.sub}, {"sid", claims.sid},
                       {"role", claims.role}, {"iat", claims.iat}, {"exp", claims.exp}};
  std::string token =
      base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(payload));
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), k.secret_key.data());
  token += ".";
  token += base64url_encode(as_text(signature, sizeof signature));
  return token;
}

access_claims keyset::verify(std::string_view token, std::int64_t now, const std::string& issuer,
                             std::int64_t leeway) const {
  if (token.size() > max_token_size) reject("The access token is malformed.");
  auto first_dot = token.find('.');
  auto second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != token.npos) {
    reject("The access token is malformed.");
  }
  std::string_view signed_part = token.substr(0, second_dot);
  auto header = decode_object(token.substr(0, first_dot));
  auto signature = base64url_decode(token.substr(second_dot + 1));
  if (!header || !signature) reject("The access token is malformed.");

  // The algorithm is fixed, never taken from the token: "none", HS256 keyed with the public
  // key and every other substitution end here.
  const json::string* alg = string_member(*header, "alg");
  if (alg == nullptr || *alg != "EdDSA") reject("The access token uses an unsupported algorithm.");
  // No extension is understood, so a token that demands one cannot be accepted (RFC 7515 §4.1.11).
  if (header->contains("crit")) reject("The access token is malformed.");
  const json::string* kid = string_member(*header, "kid");
  const key* signer = nullptr;
  if (kid != nullptr) {
    for (const auto& k : keys_) {
      if (k.kid == std::string_view(*kid)) signer = &k;
    }
  }
  if (signer == nullptr) reject("The access token was signed by an unknown key.");
  if (signature->size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                  reinterpret_cast<const unsigned char*>(signed_part.data()),
                                  signed_part.size(), signer->public_key.data()) != 0) {
    reject("The access token's signature is invalid.");
  }

  // Signed by one of our keys: the payload is ours, but it is still checked in full.
  auto payload = decode_object(token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload) reject("The access token is malformed.");
  access_claims claims;
  claims.iss = required_string(*payload, "iss");
  claims.sub = required_string(*payload, "sub");
  claims.sid = required_string(*payload, "sid");
  claims.role = required_string(*payload, "role");
  claims.iat = required_integer(*payload, "iat");
  claims.exp = required_integer(*payload, "exp");
  if (claims.iss != issuer) reject("The access token was issued for another issuer.");
  if (claims.exp <= now) reject("The access token has expired.");
  if (claims.iat > now + leeway) reject("The access token is not valid yet.");
  if (payload->contains("nbf")) {
    auto nbf = integer_member(*payload, "nbf");
    if (!nbf) reject("The access token is malformed.");
    if (*nbf > now + leeway) reject("The access token is not valid yet.");
  }
  return claims;
}

std::string keyset::jwks_json() const {
  json::array keys;
  for (const auto& k : keys_) {
    keys.push_back(json::object{{"kty", "OKP"},
                                {"crv", "Ed25519"},
                                {"x", base64url_encode(as_text(k.public_key.data(), 32))},
                                {"kid", k.kid},
                                {"alg", "EdDSA"},
                                {"use", "sig"}});
  }
  return json::serialize(json::object{{"keys", std::move(keys)}});
}

const std::string& keyset::signing_kid() const {
  if (keys_.empty()) throw std::logic_error("keyset::signing_kid on a keyset without keys");
  return keys_.front().kid;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  if (authorization.size() <= scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), authorization.begin(),
                  [&](char a, char b) { return a == lower(b); })) {
    return std::nullopt;
  }
  return authorization.substr(scheme.size());
}

std::string new_signing_key_entry(std::string_view kid) {
  if (!valid_kid(kid)) {
    throw std::invalid_argument("a kid is 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  return std::string(kid) + ":" + random_token(seed_bytes);
}

}  // namespace keel::auth
