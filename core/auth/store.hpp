// The SQL of auth, and nothing else: accounts, sessions and refresh tokens, one-time codes.
// Durations are whole seconds; times that matter for expiry are the database's now().
#pragma once
#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::auth::store {

// ---- users ---------------------------------------------------------------------------------

struct user_row {
  user_view view;
  std::optional<std::string> password_hash;
  bool disabled = false;
  std::int64_t locked_for = 0;  // seconds the account stays locked; 0 when it is not
};

// nullopt when the address is taken.
async<std::optional<user_row>> insert_user(db::transaction& tx, const std::string& email,
                                           const std::optional<std::string>& name,
                                           const std::optional<std::string>& password_hash,
                                           bool email_verified);
async<std::optional<user_row>> find_user_by_email(db::pool& db, const std::string& email);
async<std::optional<user_row>> find_user_by_email(db::transaction& tx, const std::string& email);
async<std::optional<user_row>> find_user(db::transaction& tx, const uuid& id);

// Counts a failed login in the user's window of `window` seconds; at `threshold` failures
// the account is locked for `lock_for` seconds. Returns the seconds it is now locked for.
async<std::int64_t> count_login_failure(db::pool& db, const uuid& user_id, std::int64_t window,
                                        int threshold, std::int64_t lock_for);
async<void> clear_login_failures(db::transaction& tx, const uuid& user_id);

async<void> set_password_hash(db::transaction& tx, const uuid& user_id, const std::string& hash);
async<void> mark_email_verified(db::transaction& tx, const uuid& user_id);
// Moves the account to `email`, verified. False when the address belongs to another account.
async<bool> change_email(db::transaction& tx, const uuid& user_id, const std::string& email);
// Deletes the account; its sessions, tokens and draft go with it, its rules lose their owner.
async<bool> delete_user(db::transaction& tx, const uuid& user_id);

// ---- sessions and refresh tokens -----------------------------------------------------------

struct new_session {
  uuid user_id;
  std::string user_agent;
  std::string ip;
  std::int64_t idle_ttl = 0;
  std::int64_t max_ttl = 0;
};
async<uuid> insert_session(db::transaction& tx, const new_session& s);

// `issued_at` (seconds since the epoch) is also the access token's iat, so the same pair can
// be signed again for a refresh inside the grace window.
async<void> insert_refresh_token(db::transaction& tx, const std::string& token_hash,
                                 const uuid& session_id, std::int64_t issued_at);

struct refresh_state {
  uuid session_id;
  uuid user_id;
  bool spent = false;
  bool within_grace = false;    // spent no longer than the grace window ago
  bool session_active = false;  // not ended, not expired (idle or absolute)
};
// The token's state with its session row locked, so that concurrent refreshes of one family
// take turns. nullopt when no such token was ever issued.
async<std::optional<refresh_state>> lock_refresh_token(db::transaction& tx,
                                                       const std::string& token_hash,
                                                       std::int64_t grace);
// When the token was issued (its pair's iat); nullopt when unknown.
async<std::optional<std::int64_t>> refresh_token_issued_at(db::transaction& tx,
                                                           const std::string& token_hash);
async<void> spend_refresh_token(db::transaction& tx, const std::string& token_hash);
// Marks the session used now and pushes its idle expiry, never past its absolute one.
async<void> touch_session(db::transaction& tx, const uuid& session_id, std::int64_t idle_ttl);

async<bool> end_session(db::transaction& tx, const uuid& session_id, std::string_view reason);
// Ends every open session of the user but `keep`; returns how many.
async<std::int64_t> end_user_sessions(db::transaction& tx, const uuid& user_id,
                                      std::string_view reason, const std::optional<uuid>& keep);

// The user behind a session that is still open, of a user not disabled.
struct active_session {
  user_view user;
};
async<std::optional<active_session>> find_active_session(db::pool& db, const uuid& session_id);
// Which of `session_ids` (a JSON array of ids) are open sessions of users not disabled.
async<std::vector<uuid>> open_sessions(db::pool& db, const boost::json::value& session_ids);

async<std::vector<session_view>> list_sessions(db::pool& db, const uuid& user_id,
                                               const uuid& current);
// The session's owner; nullopt when there is no such open session.
async<std::optional<uuid>> session_owner(db::transaction& tx, const uuid& session_id);
// Seconds since the open session was signed in (sessions are opened only by a sign-in, never
// by a refresh); nullopt when there is no such open session.
async<std::optional<std::int64_t>> session_signed_in_ago(db::transaction& tx,
                                                         const uuid& session_id);

// ---- emailed codes and links ---------------------------------------------------------------

// A new code replaces the address's old one, and so does its draft (or its lack of one).
async<void> replace_otp(db::transaction& tx, const std::string& email, const std::string& code_hash,
                        std::int64_t ttl, const std::optional<boost::json::value>& draft);
struct otp_state {
  std::string code_hash;
  int attempts = 0;
  bool expired = false;
  std::optional<boost::json::value> draft;  // handed on to the account it signs in
};
async<std::optional<otp_state>> lock_otp(db::transaction& tx, const std::string& email);
async<void> count_otp_failure(db::transaction& tx, const std::string& email);
async<void> delete_otp(db::transaction& tx, const std::string& email);

// purpose: "verify_email" or "reset_password" ("change_email" has insert_email_change_token).
async<void> insert_link_token(db::transaction& tx, const std::string& token_hash,
                              const uuid& user_id, std::string_view purpose, std::int64_t ttl);
// Whether the token is valid (unused, unexpired, of this purpose), without spending it.
async<bool> link_token_valid(db::pool& db, const std::string& token_hash, std::string_view purpose);
// Spends a valid token and returns its user; nullopt otherwise. One statement, so two
// concurrent uses cannot both succeed.
async<std::optional<uuid>> use_link_token(db::transaction& tx, const std::string& token_hash,
                                          std::string_view purpose);

// Whether the token was ever issued for `purpose` (used or expired ones included).
async<bool> link_token_known(db::transaction& tx, const std::string& token_hash,
                             std::string_view purpose);
// Spends the user's unused tokens of `purpose` (of every purpose when nullopt); returns how many.
async<std::int64_t> spend_user_link_tokens(db::transaction& tx, const uuid& user_id,
                                           const std::optional<std::string>& purpose);

// A "change_email" token: the address it moves the account to is stored with it.
async<void> insert_email_change_token(db::transaction& tx, const std::string& token_hash,
                                      const uuid& user_id, const std::string& new_email,
                                      std::int64_t ttl);
struct email_change {
  uuid user_id;
  std::string new_email;
};
// Spends a valid "change_email" token, as use_link_token does; nullopt when it is not valid.
async<std::optional<email_change>> use_email_change_token(db::transaction& tx,
                                                          const std::string& token_hash);

// ---- admin ---------------------------------------------------------------------------------

// Oldest first (ids are UUIDv7), after `after`.
async<std::vector<admin_user>> list_users(db::pool& db, const std::optional<uuid>& after,
                                          int limit);
async<std::optional<admin_user>> update_user(db::transaction& tx, const uuid& id,
                                             const std::optional<std::string>& role,
                                             const std::optional<bool>& disabled);
async<std::optional<admin_user>> set_role_by_email(db::transaction& tx, const std::string& email,
                                                   std::string_view role);

// ---- auth.purge ----------------------------------------------------------------------------

// Each deletes at most `batch` rows and returns how many it deleted; the caller repeats.
// Sessions ended or expired more than `keep` seconds ago (their tokens go with them).
async<std::int64_t> purge_sessions(db::pool& db, std::int64_t keep, int batch);
async<std::int64_t> purge_link_tokens(db::pool& db, int batch);  // used or expired
async<std::int64_t> purge_otps(db::pool& db, int batch);         // expired

}  // namespace keel::auth::store
