// The limits of each auth action, and how a request is counted against them.
#include "core/auth/limits.hpp"

#include <array>
#include <chrono>
#include <stdexcept>

#include "core/http/request.hpp"
#include "core/ratelimit/limiter.hpp"
#include "core/runtime/error.hpp"

namespace keel::auth {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

struct action_limits {
  std::string_view action;
  ratelimit::rule per_address;  // per client IP
  ratelimit::rule per_account;  // per email or user; limit 0: none
};

// Generous enough for people behind one NAT (an office, a phone carrier), tight enough that
// guessing passwords or codes, or mailing someone a flood of codes, goes nowhere. Password
// guessing is also stopped per account by the lockout, and codes by their 5 tries.
const std::array<action_limits, 14>& table() {
  static const std::array<action_limits, 14> t{{
      {"register", {"register_ip", 20, hours(1)}, {}},
      // Per address as tight as the lockout (10 in 15 minutes): an unknown address is refused
      // exactly when a real one would be locked, so the 429 does not tell which exist.
      {"login", {"login_ip", 30, minutes(5)}, {"login_email", 10, minutes(15)}},
      {"refresh", {"refresh_ip", 120, minutes(1)}, {}},
      {"logout", {"logout_ip", 120, minutes(1)}, {}},
      {"me", {"me_ip", 1200, minutes(1)}, {}},
      {"otp_request", {"otp_request_ip", 20, minutes(15)}, {"otp_request_email", 5, minutes(15)}},
      {"otp_verify", {"otp_verify_ip", 30, minutes(15)}, {"otp_verify_email", 10, minutes(15)}},
      {"email_verify", {"email_verify_ip", 30, minutes(15)}, {}},
      {"email_resend", {"email_resend_ip", 20, hours(1)}, {"email_resend_user", 5, hours(1)}},
      {"password_forgot",
       {"password_forgot_ip", 20, hours(1)},
       {"password_forgot_email", 5, hours(1)}},
      {"password_reset", {"password_reset_ip", 20, minutes(15)}, {}},
      {"password_change",
       {"password_change_ip", 30, minutes(15)},
       {"password_change_user", 10, minutes(15)}},
      {"sessions", {"sessions_ip", 300, minutes(1)}, {}},
      {"admin", {"admin_ip", 600, minutes(1)}, {}},
  }};
  return t;
}

const action_limits& limits_of(std::string_view action) {
  for (const auto& a : table()) {
    if (a.action == action) return a;
  }
  throw std::logic_error("no rate limits declared for auth action " + std::string(action));
}

}  // namespace

async<void> limits::check(http::request& req, std::string_view action,
                          const std::optional<std::string>& account) {
  if (!enabled_) co_return;
  const action_limits& l = limits_of(action);
  std::string address(req.client_ip());
  ratelimit::decision tightest = co_await limiter_.hit(l.per_address, address);
  if (account && l.per_account.limit > 0) {
    ratelimit::decision by_account = co_await limiter_.hit(l.per_account, *account);
    if (!by_account.allowed || (tightest.allowed && by_account.remaining < tightest.remaining)) {
      tightest = by_account;
    }
  }
  for (auto& [name, value] : ratelimit::headers(tightest)) {
    // Retry-After comes with the 429 problem itself.
    if (name != "Retry-After") req.add_response_header(std::move(name), std::move(value));
  }
  if (!tightest.allowed) throw too_many_requests(static_cast<int>(tightest.reset.count()));
}

}  // namespace keel::auth
