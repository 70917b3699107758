// Auth service: what a user does to the account itself: delete it, move it to another address.
#include <boost/json/object.hpp>

#include "core/audit/log.hpp"
#include "core/auth/detail/links.hpp"
#include "core/auth/secrets.hpp"
#include "core/auth/service.hpp"
#include "core/auth/store.hpp"
#include "core/db/pool.hpp"
#include "core/jobs/service.hpp"
#include "core/mail/service.hpp"
#include "core/runtime/error.hpp"
#include "core/uploads/service.hpp"

namespace keel::auth {
namespace {

conflict email_taken() {
  return conflict("An account with this email already exists.", "email_taken");
}

}  // namespace

async<void> service::delete_account(const principal& who, const audit::origin& from) {
  auto tx = co_await db_.begin();
  // A stolen access token, or a session kept alive by refreshes on an unattended device, is
  // not enough: the password or an emailed code must have been given just now.
  auto signed_in_ago = co_await store::session_signed_in_ago(tx, who.session_id);
  if (!signed_in_ago) throw unauthorized("The session has ended.", "invalid_token");
  if (*signed_in_ago > reauth_window.count()) {
    throw forbidden("Sign in again to delete the account.", "reauthentication_required");
  }
  int uploads_deleted = co_await uploads::delete_all_of(tx, who.user_id);
  // Sessions (so every access token of the user stops at once), tokens and the draft cascade;
  // rules.owner_id becomes NULL, so published rules stay readable.
  bool deleted = co_await store::delete_user(tx, who.user_id);
  if (!deleted) throw unauthorized("The session has ended.", "invalid_token");
  boost::json::object details{{"uploads_deleted", uploads_deleted}};
  co_await audit::record(tx, from, "auth.account_deleted", who.user_id, details);
  co_await tx.commit();
}

async<void> service::request_email_change(const principal& who, const email_change_body& body,
                                          const audit::origin& from) {
  std::string new_email = normalize_email(body.new_email);
  auto tx = co_await db_.begin();
  auto user = co_await store::find_user(tx, who.user_id);
  if (!user) throw unauthorized("The session has ended.", "invalid_token");
  if (user->view.email == new_email) {
    throw validation_failed(
        std::vector<field_error>{{"new_email", "is the current address of the account"}});
  }
  auto holder = co_await store::find_user_by_email(tx, new_email);
  if (holder) throw email_taken();
  // Only the newest link works: an older one may have gone to a mistyped address.
  std::optional<std::string> purpose = std::string(detail::change_email_link.purpose);
  co_await store::spend_user_link_tokens(tx, who.user_id, purpose);
  jobs::cause by = jobs::cause_of(from);
  co_await detail::send_email_change_link(tx, user->view, new_email, settings_.app_url, by);
  boost::json::object details{{"new_email", new_email}};
  co_await audit::record(tx, from, "auth.email_change_requested", who.user_id, details);
  co_await tx.commit();
}

async<user_view> service::confirm_email_change(const token_body& body, const audit::origin& from) {
  std::string token_hash = sha256_hex(body.token);
  auto tx = co_await db_.begin();
  auto change = co_await store::use_email_change_token(tx, token_hash);
  if (!change) {
    bool known = co_await store::link_token_known(tx, token_hash, "change_email");
    if (known) throw gone("This link was used or has expired.", "link_expired");
    throw not_found("This link is invalid.", "invalid_link");
  }
  auto user = co_await store::find_user(tx, change->user_id);
  if (!user) throw not_found("This link is invalid.", "invalid_link");
  if (user->disabled) throw forbidden("This account is disabled.", "account_disabled");
  std::string old_email = user->view.email;
  bool moved = co_await store::change_email(tx, change->user_id, change->new_email);
  if (!moved) throw email_taken();
  // Whoever is signed in, and whatever link went to the old address (a password reset), no
  // longer speaks for the account.
  std::optional<uuid> keep_none;
  auto ended = co_await store::end_user_sessions(tx, change->user_id, "email_changed", keep_none);
  std::optional<std::string> every_purpose;
  co_await store::spend_user_link_tokens(tx, change->user_id, every_purpose);
  mail::message notice{
      .to = old_email,
      .subject = "Your email address was changed",
      .text =
          "The email address of your account was changed to another address, and every "
          "session was signed out.\n\nIf you did not do this, contact us at once.\n",
      .html = std::nullopt,
      .reply_to = std::nullopt,
      .purpose = "auth.email_changed",
      .sensitive = false,
  };
  jobs::cause by = jobs::cause_of(from);
  co_await mail::queue(tx, notice, by);
  boost::json::object details{
      {"old_email", old_email}, {"new_email", change->new_email}, {"sessions_ended", ended}};
  co_await audit::record(tx, from, "auth.email_changed", change->user_id, details);
  co_await tx.commit();
  user->view.email = change->new_email;
  user->view.email_verified = true;
  co_return user->view;
}

}  // namespace keel::auth
