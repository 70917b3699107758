// Auth service: registration, password login with lockout, the current user, password change.
#include <boost/json/object.hpp>

#include "core/audit/log.hpp"
#include "core/auth/detail/links.hpp"
#include "core/auth/password.hpp"
#include "core/auth/service.hpp"
#include "core/auth/store.hpp"
#include "core/db/pool.hpp"
#include "core/jobs/service.hpp"
#include "core/runtime/error.hpp"

namespace keel::auth {
namespace {

// OWASP's suggestion, and the auth issue's: 10 failures in 15 minutes lock for 15 minutes.
constexpr int lockout_threshold = 10;
constexpr std::int64_t lockout_window = 15 * 60;
constexpr std::int64_t lockout_duration = 15 * 60;

unauthorized invalid_credentials() {
  return unauthorized("The email or password is wrong.", "invalid_credentials");
}

// Lockout answers exactly like a rate limit, so it tells an attacker nothing more.
too_many_requests locked(std::int64_t seconds) {
  return too_many_requests(static_cast<int>(seconds));
}

}  // namespace

async<token_response> service::register_user(const register_body& body, const audit::origin& from) {
  std::string email = normalize_email(body.email);
  // Hashed before the transaction: a connection is never held while a hash is computed.
  std::string hash = co_await hasher_->hash(body.password);
  auto tx = co_await db_.begin();
  auto user = co_await store::insert_user(tx, email, body.name, hash, false);
  if (!user) throw conflict("An account with this email already exists.", "email_taken");
  jobs::cause by = jobs::cause_of(from);
  co_await detail::send_link(tx, user->view, detail::verify_link, settings_.app_url, by);
  auto answer = co_await start_session(tx, *user, from);
  boost::json::object details{{"method", "password"}};
  co_await audit::record(tx, from, "auth.register", user->view.id, details);
  co_await tx.commit();
  co_return answer;
}

async<token_response> service::login(const login_body& body, const audit::origin& from) {
  std::string email = normalize_email(body.email);
  auto user = co_await store::find_user_by_email(db_, email);
  if (user && user->locked_for > 0) throw locked(user->locked_for);

  bool ok = false;
  bool rehash = false;
  if (user && user->password_hash) {
    auto checked = co_await hasher_->verify(*user->password_hash, body.password);
    ok = checked.ok;
    rehash = checked.needs_rehash;
  } else {
    // Unknown address (or a code-only account): spend the same time as a wrong password.
    co_await hasher_->verify_dummy(body.password);
  }

  // A disabled account answers its right password exactly as a wrong one (and counts it
  // alike, so that not even the lockout's timing tells them apart): the answer says nothing
  // about the account to someone who may not hold its password.
  if (!ok || user->disabled) {
    // Counted first, in a statement of its own, before anything that could fail (the audit
    // row included): no failure later in the request can leave a guess uncounted.
    std::optional<uuid> user_id;
    if (user) {
      user_id = user->view.id;
      co_await store::count_login_failure(db_, user->view.id, lockout_window, lockout_threshold,
                                          lockout_duration);
    }
    boost::json::object details{{"email", email}};
    if (ok) details["reason"] = "account_disabled";
    co_await audit::record(db_, from, "auth.login_failed", user_id, details);
    throw invalid_credentials();
  }

  std::optional<std::string> new_hash;
  if (rehash) new_hash = co_await hasher_->hash(body.password);
  auto tx = co_await db_.begin();
  if (new_hash) co_await store::set_password_hash(tx, user->view.id, *new_hash);
  co_await store::clear_login_failures(tx, user->view.id);
  auto answer = co_await start_session(tx, *user, from);
  boost::json::object details{{"method", "password"}, {"rehashed", rehash}};
  co_await audit::record(tx, from, "auth.login", user->view.id, details);
  co_await tx.commit();
  co_return answer;
}

async<void> service::change_password(const principal& who, const password_change_body& body,
                                     const audit::origin& from) {
  std::optional<store::user_row> user;
  {
    auto tx = co_await db_.begin();
    user = co_await store::find_user(tx, who.user_id);
    co_await tx.commit();
  }
  if (!user) throw unauthorized("The session has ended.", "invalid_token");
  bool ok = false;
  if (user->password_hash) {
    auto checked = co_await hasher_->verify(*user->password_hash, body.current_password);
    ok = checked.ok;
  } else {
    co_await hasher_->verify_dummy(body.current_password);
  }
  if (!ok) {
    throw validation_failed(
        std::vector<field_error>{{"current_password", "is not the current password"}});
  }
  std::string hash = co_await hasher_->hash(body.new_password);
  auto tx = co_await db_.begin();
  co_await store::set_password_hash(tx, who.user_id, hash);
  std::optional<uuid> keep = who.session_id;
  auto ended = co_await store::end_user_sessions(tx, who.user_id, "password_changed", keep);
  boost::json::object details{{"sessions_ended", ended}};
  co_await audit::record(tx, from, "auth.password_changed", who.user_id, details);
  co_await tx.commit();
}

}  // namespace keel::auth
