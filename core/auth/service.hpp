// Auth: accounts, sign-in by password or emailed code, sessions with rotating refresh tokens,
// email verification and password reset. No HTTP types: the
// routes hand in what the client sent and where it came from (audit::origin).
#pragma once
#include <boost/json/fwd.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/audit/dto.hpp"
#include "core/auth/dto.hpp"
#include "core/auth/principal.hpp"
#include "core/auth/settings.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::auth {

class keyset;
class password_hasher;
class verified_tokens;
namespace store {
struct user_row;
}

// What keeps a draft that came with an emailed code (the create flow started signed out), in
// the transaction that signs its user in. The rules feature owns drafts; auth only carries
// one until the code is verified, so the program wires the two (api/app.cpp).
using draft_handoff = std::function<async<void>(db::transaction& tx, const uuid& user,
                                                const boost::json::value& draft)>;

// Every coroutine takes its arguments by reference: await each call at once.
class service {
 public:
  service(db::pool& db, const settings& cfg);
  ~service();

  // ---- accounts (accounts.cpp) ----
  // 201 material: the new account, signed in. Throws conflict "email_taken".
  async<token_response> register_user(const register_body& body, const audit::origin& from);
  // Throws unauthorized "invalid_credentials" for a wrong email or password and a disabled
  // account alike (in the same time), too_many_requests while the account is locked. A
  // failure is counted toward the lockout and audited before anything else can fail.
  async<token_response> login(const login_body& body, const audit::origin& from);
  // Ends the user's other sessions. Throws validation_failed when current_password is wrong.
  async<void> change_password(const principal& who, const password_change_body& body,
                              const audit::origin& from);

  // ---- the account itself (account_changes.cpp) ----
  // Deletes the caller's account with its sessions and draft (its rules stay, without an
  // owner) and queues the deletion of its uploads. Throws forbidden
  // "reauthentication_required" unless the caller's session was signed in (password or code)
  // within reauth_window.
  async<void> delete_account(const principal& who, const audit::origin& from);
  // Mails a single-use link to the new address. Throws conflict "email_taken" when the
  // address is another account's, validation_failed when it is the current one.
  async<void> request_email_change(const principal& who, const email_change_body& body,
                                   const audit::origin& from);
  // Moves the account to the link's address (verified), ends every session of the user and
  // tells the old address. Throws not_found "invalid_link" for an unknown token, gone
  // "link_expired" for a used or expired one, conflict "email_taken" when the address was
  // taken since, forbidden "account_disabled" for a disabled account.
  async<user_view> confirm_email_change(const token_body& body, const audit::origin& from);

  // How recent a sign-in delete_account() asks for.
  static constexpr std::chrono::seconds reauth_window{10 * 60};

  // ---- sessions (sessions.cpp) ----
  // Checks an `Authorization` header value ("Bearer <jwt>") and that the token's session is
  // still open; throws unauthorized "invalid_token" otherwise.
  async<principal> authenticate(std::string_view authorization);
  // The user `who` (from authenticate()) is, as that one query read them.
  user_view me(const principal& who) const;
  // Spends `refresh_token` for a new pair in the same session.
  async<token_response> refresh(const std::string& refresh_token, const audit::origin& from);
  async<void> logout(const principal& who, const audit::origin& from);
  // Logout for a client that holds only its refresh token (an expired access token).
  async<void> logout_by_refresh(const std::string& refresh_token, const audit::origin& from);
  async<session_list> sessions(const principal& who);
  // Throws not_found unless `id` is an open session of the user.
  async<void> end_session(const principal& who, const uuid& id, const audit::origin& from);
  async<void> end_other_sessions(const principal& who, const audit::origin& from);
  // Which of `sessions` are still open, of users not disabled (for connections that outlive
  // a request: realtime closes the others).
  async<std::vector<uuid>> open_sessions(const std::vector<uuid>& sessions);

  // ---- emailed codes and links (codes.cpp) ----
  // Always succeeds, known address or not: the answer tells nothing about accounts. A draft
  // sent along waits with the code.
  async<void> request_otp(const otp_request_body& body, const audit::origin& from);
  // Signs in, creating a verified account on first use. Throws unauthorized "invalid_code"
  // for a wrong, expired or used-up code (5 wrong tries spend it; a wrong try is counted in a
  // transaction of its own before anything else can fail). Forbidden for a disabled account.
  // The code's draft, if any, goes to the draft hand-off in the sign-in's transaction.
  async<token_response> verify_otp(const otp_verify_body& body, const audit::origin& from);
  async<user_view> verify_email(const token_body& body, const audit::origin& from);
  async<void> resend_verification(const principal& who, const audit::origin& from);
  async<void> forgot_password(const email_body& body, const audit::origin& from);
  // Ends every session of the user. Throws bad_request "invalid_link", checked before the
  // new password is hashed.
  async<void> reset_password(const password_reset_body& body, const audit::origin& from);

  // Set once, before serving; without one, a draft sent with a code is dropped on sign-in.
  void set_draft_handoff(draft_handoff handoff) { draft_handoff_ = std::move(handoff); }

  std::string jwks_json() const;
  const settings& config() const { return settings_; }

 private:
  struct checked_session {
    principal who;
    user_view user;
  };
  async<checked_session> check_session(std::string_view authorization);
  // Opens a session for `user` in `tx` and signs its first pair (commit is the caller's).
  async<token_response> start_session(db::transaction& tx, const store::user_row& user,
                                      const audit::origin& from);
  token_response tokens(const user_view& user, const uuid& session_id,
                        const std::string& refresh_token, std::int64_t issued_at) const;
  // The token that replaces `refresh_token`, derived under a server key: a retry inside the
  // grace window gets the same one back although only hashes are stored.
  std::string successor_of(const std::string& refresh_token) const;
  std::string otp_hash(const std::string& email, const std::string& code) const;

  db::pool& db_;
  settings settings_;
  std::unique_ptr<keyset> keys_;
  std::unique_ptr<password_hasher> hasher_;
  std::unique_ptr<verified_tokens> verified_;
  std::string refresh_key_;  // derived from the signing key, for successor_of()
  std::string otp_key_;      // derived from the signing key, for otp_hash()
  draft_handoff draft_handoff_;
};

// Lower-cased and trimmed, so that one address is one account.
std::string normalize_email(std::string_view email);

}  // namespace keel::auth
