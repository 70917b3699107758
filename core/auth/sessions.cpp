// Auth service: checking access tokens, rotating refresh tokens, listing and ending sessions.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <stdexcept>

#include "core/audit/log.hpp"
#include "core/auth/jwt.hpp"
#include "core/auth/secrets.hpp"
#include "core/auth/service.hpp"
#include "core/auth/store.hpp"
#include "core/auth/token_cache.hpp"
#include "core/db/pool.hpp"
#include "core/runtime/error.hpp"

namespace keel::auth {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

unauthorized invalid_token(std::string detail = "The access token is invalid or has expired.") {
  return unauthorized(std::move(detail), "invalid_token");
}

unauthorized invalid_refresh_token() {
  return unauthorized("The refresh token is invalid, spent or expired.", "invalid_refresh_token");
}

}  // namespace

async<principal> service::authenticate(std::string_view authorization) {
  auto checked = co_await check_session(authorization);
  checked.who.details = std::move(checked.user);
  co_return std::move(checked.who);
}

async<std::vector<uuid>> service::open_sessions(const std::vector<uuid>& sessions) {
  boost::json::array ids;
  ids.reserve(sessions.size());
  for (const auto& id : sessions) ids.emplace_back(id.str());
  boost::json::value list = std::move(ids);
  auto open = co_await store::open_sessions(db_, list);
  co_return open;
}

user_view service::me(const principal& who) const {
  const auto* user = std::any_cast<user_view>(&who.details);
  if (user == nullptr) throw std::logic_error("auth::service::me needs a caller from authenticate");
  return *user;
}

async<service::checked_session> service::check_session(std::string_view authorization) {
  auto bearer = bearer_token(authorization);
  if (!bearer) throw unauthorized("Send an access token: Authorization: Bearer <token>.");
  std::string_view token = *bearer;
  std::int64_t now = now_seconds();
  std::optional<access_claims> claims = verified_->find(token, now);
  if (!claims) {
    claims = keys_->verify(token, now, settings_.issuer);
    verified_->remember(token, *claims);
  }
  auto user_id = uuid::parse(claims->sub);
  auto session_id = uuid::parse(claims->sid);
  if (!user_id || !session_id) throw invalid_token();
  // The token alone would stay good for its whole life; the session row makes a logout, a
  // revocation or a disabled account take effect at once. One indexed lookup, pipelined.
  auto active = co_await store::find_active_session(db_, *session_id);
  if (!active || active->user.id != *user_id) throw invalid_token("The session has ended.");
  co_return checked_session{
      .who = {.user_id = *user_id, .session_id = *session_id, .role = active->user.role},
      .user = active->user,
  };
}

// Rotation with reuse detection. Every refresh spends its token and gives the session a new
// one; the session row is locked meanwhile, so concurrent refreshes of one family take turns.
// A spent token presented again within the grace window gets the same new pair (two tabs
// refreshing at once); later, it can only be a copy in the wrong hands, so the session ends.
async<token_response> service::refresh(const std::string& refresh_token,
                                       const audit::origin& from) {
  std::string token_hash = sha256_hex(refresh_token);
  std::int64_t grace = settings_.refresh_grace.count();
  auto tx = co_await db_.begin();
  auto state = co_await store::lock_refresh_token(tx, token_hash, grace);
  if (!state || !state->session_active) throw invalid_refresh_token();

  std::string successor = successor_of(refresh_token);
  std::string successor_hash = sha256_hex(successor);
  if (state->spent) {
    if (state->within_grace) {
      auto issued_at = co_await store::refresh_token_issued_at(tx, successor_hash);
      auto user = co_await store::find_user(tx, state->user_id);
      co_await tx.commit();
      if (!issued_at || !user || user->disabled) throw invalid_refresh_token();
      co_return tokens(user->view, state->session_id, successor, *issued_at);
    }
    co_await store::end_session(tx, state->session_id, "refresh_reuse");
    boost::json::object details{{"session_id", state->session_id.str()}};
    co_await audit::record(tx, from, "auth.refresh_reuse", state->user_id, details);
    co_await tx.commit();
    throw unauthorized("This refresh token was already used; the session has been ended.",
                       "refresh_token_reused");
  }

  auto user = co_await store::find_user(tx, state->user_id);
  if (!user || user->disabled) throw invalid_refresh_token();
  std::int64_t issued_at = now_seconds();
  co_await store::spend_refresh_token(tx, token_hash);
  co_await store::insert_refresh_token(tx, successor_hash, state->session_id, issued_at);
  std::int64_t idle = settings_.session_idle_ttl.count();
  co_await store::touch_session(tx, state->session_id, idle);
  co_await tx.commit();
  co_return tokens(user->view, state->session_id, successor, issued_at);
}

async<void> service::logout(const principal& who, const audit::origin& from) {
  auto tx = co_await db_.begin();
  co_await store::end_session(tx, who.session_id, "logout");
  boost::json::object details{{"session_id", who.session_id.str()}};
  co_await audit::record(tx, from, "auth.logout", who.user_id, details);
  co_await tx.commit();
}

async<void> service::logout_by_refresh(const std::string& refresh_token,
                                       const audit::origin& from) {
  std::string token_hash = sha256_hex(refresh_token);
  std::int64_t grace = settings_.refresh_grace.count();
  auto tx = co_await db_.begin();
  auto state = co_await store::lock_refresh_token(tx, token_hash, grace);
  if (!state || !state->session_active) throw invalid_refresh_token();
  co_await store::end_session(tx, state->session_id, "logout");
  boost::json::object details{{"session_id", state->session_id.str()}};
  co_await audit::record(tx, from, "auth.logout", state->user_id, details);
  co_await tx.commit();
}

async<session_list> service::sessions(const principal& who) {
  session_list list;
  list.data = co_await store::list_sessions(db_, who.user_id, who.session_id);
  co_return list;
}

async<void> service::end_session(const principal& who, const uuid& id, const audit::origin& from) {
  auto tx = co_await db_.begin();
  auto owner = co_await store::session_owner(tx, id);
  // Another user's session is "not found" too: ids of others are not confirmed.
  if (!owner || *owner != who.user_id) throw not_found("No such session.");
  co_await store::end_session(tx, id, "revoked");
  boost::json::object details{{"session_id", id.str()}};
  co_await audit::record(tx, from, "auth.session_revoked", who.user_id, details);
  co_await tx.commit();
}

async<void> service::end_other_sessions(const principal& who, const audit::origin& from) {
  auto tx = co_await db_.begin();
  std::optional<uuid> keep = who.session_id;
  auto ended = co_await store::end_user_sessions(tx, who.user_id, "revoked", keep);
  boost::json::object details{{"sessions_ended", ended}, {"kept", who.session_id.str()}};
  co_await audit::record(tx, from, "auth.session_revoked", who.user_id, details);
  co_await tx.commit();
}

}  // namespace keel::auth
