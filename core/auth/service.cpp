// Auth service: construction, and the pieces every flow shares (sessions, tokens, links).
#include "core/auth/service.hpp"

#include <boost/json/object.hpp>
#include <chrono>

#include "core/audit/log.hpp"
#include "core/auth/jwt.hpp"
#include "core/auth/password.hpp"
#include "core/auth/secrets.hpp"
#include "core/auth/store.hpp"
#include "core/auth/token_cache.hpp"
#include "core/db/pool.hpp"
#include "core/runtime/hex.hpp"

namespace keel::auth {
namespace {

std::int64_t seconds(std::chrono::seconds s) {
  return static_cast<std::int64_t>(s.count());
}

// keyed_hash_hex always returns well-formed hex, so decoding it cannot fail.
std::string bytes_from_hex(std::string_view text) {
  return hex::decode(text).value();
}

// A key for one purpose, derived from the signing key that is already the auth secret, so a
// deployment has one secret to manage. Rotating that key changes these too; the cost is that
// codes and grace-window retries in flight at that moment stop matching, which is harmless.
std::string derive_key(std::string_view signing_keys, std::string_view purpose) {
  std::string_view first = signing_keys.substr(0, signing_keys.find(','));
  return bytes_from_hex(keyed_hash_hex(first, purpose));
}

}  // namespace

service::service(db::pool& db, const settings& cfg)
    : db_(db),
      settings_(cfg),
      keys_(std::make_unique<keyset>(keyset::parse(cfg.signing_keys))),
      hasher_(std::make_unique<password_hasher>(cfg)),
      verified_(std::make_unique<verified_tokens>()),
      refresh_key_(derive_key(cfg.signing_keys, "keel auth refresh successor v1")),
      otp_key_(derive_key(cfg.signing_keys, "keel auth otp v1")) {}

service::~service() = default;

std::string service::jwks_json() const {
  return keys_->jwks_json();
}

std::string normalize_email(std::string_view email) {
  while (!email.empty() && (email.front() == ' ' || email.front() == '\t')) email.remove_prefix(1);
  while (!email.empty() && (email.back() == ' ' || email.back() == '\t')) email.remove_suffix(1);
  std::string out(email);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

token_response service::tokens(const user_view& user, const uuid& session_id,
                               const std::string& refresh_token, std::int64_t issued_at) const {
  access_claims claims{
      .iss = settings_.issuer,
      .sub = user.id.str(),
      .sid = session_id.str(),
      .role = user.role,
      .iat = issued_at,
      .exp = issued_at + seconds(settings_.access_ttl),
  };
  return {
      .access_token = keys_->sign(claims),
      .token_type = "Bearer",
      .expires_in = static_cast<int>(settings_.access_ttl.count()),
      .refresh_token = refresh_token,
      .user = user,
  };
}

std::string service::successor_of(const std::string& refresh_token) const {
  return base64url_encode(bytes_from_hex(keyed_hash_hex(refresh_key_, refresh_token)));
}

std::string service::otp_hash(const std::string& email, const std::string& code) const {
  // Bound to the address, so a code's hash says nothing about another address's code.
  return keyed_hash_hex(otp_key_, email + '\n' + code);
}

async<token_response> service::start_session(db::transaction& tx, const store::user_row& user,
                                             const audit::origin& from) {
  store::new_session s{
      .user_id = user.view.id,
      .user_agent = from.user_agent,
      .ip = from.ip,
      .idle_ttl = seconds(settings_.session_idle_ttl),
      .max_ttl = seconds(settings_.session_max_ttl),
  };
  uuid session_id = co_await store::insert_session(tx, s);
  std::string refresh_token = random_token(32);
  std::string token_hash = sha256_hex(refresh_token);
  auto issued_at =
      static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  co_await store::insert_refresh_token(tx, token_hash, session_id, issued_at);
  co_return tokens(user.view, session_id, refresh_token, issued_at);
}

}  // namespace keel::auth
