// The limits of each auth action: "<action>_ip" per client address, "<action>_email" or
// "<action>_user" per account.
#include "core/auth/limits.hpp"

#include <chrono>

namespace keel::auth {

using std::chrono::hours;
using std::chrono::minutes;

// Generous enough for people behind one NAT (an office, a phone carrier), tight enough that
// guessing passwords or codes, or mailing someone a flood of codes, goes nowhere. Password
// guessing is also stopped per account by the lockout, and codes by their 5 tries.
const std::vector<ratelimit::rule>& rate_limits() {
  static const std::vector<ratelimit::rule> table{
      {"register_ip", 20, hours(1)},
      // Per address as tight as the lockout (10 in 15 minutes): an unknown address is refused
      // exactly when a real one would be locked, so the 429 does not tell which exist.
      {"login_ip", 30, minutes(5)},
      {"login_email", 10, minutes(15)},
      {"refresh_ip", 120, minutes(1)},
      {"logout_ip", 120, minutes(1)},
      {"me_ip", 1200, minutes(1)},
      {"otp_request_ip", 20, minutes(15)},
      {"otp_request_email", 5, minutes(15)},
      {"otp_verify_ip", 30, minutes(15)},
      {"otp_verify_email", 10, minutes(15)},
      {"email_verify_ip", 30, minutes(15)},
      {"email_resend_ip", 20, hours(1)},
      {"email_resend_user", 5, hours(1)},
      {"password_forgot_ip", 20, hours(1)},
      {"password_forgot_email", 5, hours(1)},
      {"password_reset_ip", 20, minutes(15)},
      {"password_change_ip", 30, minutes(15)},
      {"password_change_user", 10, minutes(15)},
      {"sessions_ip", 300, minutes(1)},
      {"account_delete_ip", 20, hours(1)},
      {"account_delete_user", 5, hours(1)},
      // Each request mails someone: few per account, as for verification links.
      {"email_change_ip", 20, hours(1)},
      {"email_change_user", 5, hours(1)},
      {"email_change_confirm_ip", 30, minutes(15)},
      {"admin_ip", 600, minutes(1)},
  };
  return table;
}

}  // namespace keel::auth
