// Single-use links sent by email (verify an address, reset a password): what the service and
// keel-worker's reset job share.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/auth/dto.hpp"
#include "core/jobs/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class transaction;
}

namespace keel::auth::detail {

struct link_kind {
  std::string_view purpose;  // of the stored token: "verify_email", "reset_password", ...
  std::chrono::seconds ttl;
  std::string_view path;  // on the web app
  std::string_view subject;
  std::string_view sentence;
};

inline constexpr link_kind verify_link{"verify_email", std::chrono::hours(24), "/verify-email",
                                       "Confirm your email address",
                                       "Confirm your email address by opening this link"};
inline constexpr link_kind reset_link{"reset_password", std::chrono::hours(1), "/reset-password",
                                      "Reset your password",
                                      "Someone asked to reset your password. If it was you, open "
                                      "this link to choose a new one"};

inline constexpr link_kind change_email_link{
    "change_email", std::chrono::hours(1), "/confirm-email-change",
    "Confirm your new email address",
    "Someone asked to move an account to this address. If it was you, open this link to confirm"};

// Stores a fresh single-use token for `user` and queues the email carrying its link (on
// `app_url`), both in `tx`. `by` is the HTTP request (or job) that asked for it.
async<void> send_link(db::transaction& tx, const user_view& user, const link_kind& kind,
                      const std::string& app_url, const jobs::cause& by);

// The same for a change of address: the token remembers `new_email` and the mail goes there.
async<void> send_email_change_link(db::transaction& tx, const user_view& user,
                                   const std::string& new_email, const std::string& app_url,
                                   const jobs::cause& by);

}  // namespace keel::auth::detail
