// Auth service: sign-in codes, email verification and password reset, all sent by email.
#include <boost/json/object.hpp>

#include "core/audit/log.hpp"
#include "core/auth/detail/links.hpp"
#include "core/auth/password.hpp"
#include "core/auth/reset_job.hpp"
#include "core/auth/secrets.hpp"
#include "core/auth/service.hpp"
#include "core/auth/store.hpp"
#include "core/db/pool.hpp"
#include "core/jobs/service.hpp"
#include "core/mail/service.hpp"
#include "core/runtime/error.hpp"

namespace keel::auth {
namespace {

constexpr std::int64_t otp_ttl = 10 * 60;
// Five wrong guesses spend a code: a million codes against five tries is a 1 in 200,000 chance
// per code, and rate limits bound how many codes an attacker can ask for.
constexpr int otp_max_attempts = 5;

unauthorized invalid_code() {
  return unauthorized("The code is wrong, expired or used up. Ask for a new one.", "invalid_code");
}

bad_request invalid_link() {
  return bad_request("This link is invalid, used or expired.", "invalid_link");
}

}  // namespace

async<void> service::request_otp(const otp_request_body& body, const audit::origin& from) {
  std::string email = normalize_email(body.email);
  std::string code = six_digit_code();
  std::string code_hash = otp_hash(email, code);
  std::optional<boost::json::value> draft;
  if (body.draft) draft = *body.draft;
  auto tx = co_await db_.begin();
  co_await store::replace_otp(tx, email, code_hash, otp_ttl, draft);
  mail::message m{
      .to = email,
      .subject = "Your sign-in code",
      .text = "Your sign-in code is " + code +
              ".\n\nIt expires in 10 minutes and works once. If you did not ask for it, ignore "
              "this email.\n",
      .html = std::nullopt,
      .reply_to = std::nullopt,
      .purpose = "auth.otp",
      .sensitive = true,
  };
  jobs::cause by = jobs::cause_of(from);
  co_await mail::queue(tx, m, by);
  co_await tx.commit();
}

async<token_response> service::verify_otp(const otp_verify_body& body, const audit::origin& from) {
  std::string email = normalize_email(body.email);
  auto tx = co_await db_.begin();
  auto otp = co_await store::lock_otp(tx, email);
  if (!otp || otp->expired || otp->attempts >= otp_max_attempts) throw invalid_code();
  if (!constant_time_equal(otp->code_hash, otp_hash(email, body.code))) {
    // The try is spent and committed on its own before anything else the request does, the
    // audit row included: no failure later on (bytes the database refuses, a lost
    // connection) can give a guesser the try back.
    co_await store::count_otp_failure(tx, email);
    co_await tx.commit();
    boost::json::object details{{"email", email}, {"method", "otp"}};
    std::optional<uuid> nobody;
    co_await audit::record(db_, from, "auth.login_failed", nobody, details);
    throw invalid_code();
  }
  co_await store::delete_otp(tx, email);

  // The code proves the address: the account is created verified, or becomes verified.
  std::optional<std::string> no_name, no_password;
  auto user = co_await store::insert_user(tx, email, no_name, no_password, true);
  bool created = user.has_value();
  if (!user) {
    user = co_await store::find_user_by_email(tx, email);
    if (!user) throw invalid_code();  // deleted in between
    if (!user->view.email_verified) {
      co_await store::mark_email_verified(tx, user->view.id);
      user->view.email_verified = true;
    }
  }
  if (user->disabled) throw forbidden("This account is disabled.", "account_disabled");
  co_await store::clear_login_failures(tx, user->view.id);
  if (otp->draft && draft_handoff_) co_await draft_handoff_(tx, user->view.id, *otp->draft);
  auto answer = co_await start_session(tx, *user, from);
  boost::json::object details{{"method", "otp"}, {"draft", otp->draft.has_value()}};
  co_await audit::record(tx, from, created ? "auth.register" : "auth.login", user->view.id,
                         details);
  co_await tx.commit();
  co_return answer;
}

async<user_view> service::verify_email(const token_body& body, const audit::origin& from) {
  std::string token_hash = sha256_hex(body.token);
  auto tx = co_await db_.begin();
  auto user_id = co_await store::use_link_token(tx, token_hash, "verify_email");
  if (!user_id) throw invalid_link();
  co_await store::mark_email_verified(tx, *user_id);
  auto user = co_await store::find_user(tx, *user_id);
  boost::json::object details;
  co_await audit::record(tx, from, "auth.email_verified", user_id, details);
  co_await tx.commit();
  if (!user) throw invalid_link();
  co_return user->view;
}

async<void> service::resend_verification(const principal& who, const audit::origin& from) {
  auto tx = co_await db_.begin();
  auto user = co_await store::find_user(tx, who.user_id);
  if (!user) throw unauthorized("The session has ended.", "invalid_token");
  // Already verified: nothing to send, and the same 202 as always.
  if (!user->view.email_verified) {
    jobs::cause by = jobs::cause_of(from);
    co_await detail::send_link(tx, user->view, detail::verify_link, settings_.app_url, by);
  }
  co_await tx.commit();
}

async<void> service::forgot_password(const email_body& body, const audit::origin& from) {
  // Known address or not, the request only queues the job that looks it up (reset_job.cpp):
  // both take the same statements and the same time, so neither the answer nor its timing
  // tells whether an account exists. An unknown or disabled address then gets no mail.
  std::string email = normalize_email(body.email);
  boost::json::value payload = reset_job_payload(email, settings_.app_url, from);
  jobs::enqueue_options options{.queue = std::string(mail::job_queue),
                                .request_id = from.request_id,
                                .traceparent = from.traceparent};
  auto tx = co_await db_.begin();
  co_await jobs::enqueue(tx, reset_job_kind, payload, options);
  co_await tx.commit();
}

async<void> service::reset_password(const password_reset_body& body, const audit::origin& from) {
  std::string token_hash = sha256_hex(body.token);
  // The token first: a guessed, spent or expired one is answered at once and costs no hash
  // (nor a place in the hashing queue that real users wait in).
  bool valid = co_await store::link_token_valid(db_, token_hash, "reset_password");
  if (!valid) throw invalid_link();
  std::string hash = co_await hasher_->hash(body.password);
  auto tx = co_await db_.begin();
  // Checked again as it is spent: two resets with one link at once cannot both succeed.
  auto user_id = co_await store::use_link_token(tx, token_hash, "reset_password");
  if (!user_id) throw invalid_link();
  co_await store::set_password_hash(tx, *user_id, hash);
  // Whoever knew the old password is signed out everywhere; the mailbox proved the owner.
  std::optional<uuid> keep_none;
  auto ended = co_await store::end_user_sessions(tx, *user_id, "password_reset", keep_none);
  co_await store::clear_login_failures(tx, *user_id);
  co_await store::mark_email_verified(tx, *user_id);
  boost::json::object details{{"sessions_ended", ended}};
  co_await audit::record(tx, from, "auth.password_reset", user_id, details);
  co_await tx.commit();
}

}  // namespace keel::auth
