// What an admin (through the admin API) or ops (through keel-cron) may do to accounts, and
// the purge of spent auth data. Needs no keys, so keel-cron can use it.
#pragma once
#include <cstdint>
#include <string>

#include "core/audit/dto.hpp"
#include "core/auth/dto.hpp"
#include "core/auth/principal.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
}

namespace keel::auth {

struct purge_result {
  std::int64_t sessions = 0;  // ended or expired, with their refresh tokens
  std::int64_t links = 0;     // used or expired verification and reset tokens
  std::int64_t codes = 0;     // expired sign-in codes
};

class admin {
 public:
  explicit admin(db::pool& db) : db_(db) {}

  // Oldest first; next_cursor is null on the last page.
  async<admin_user_page> list_users(const user_list_query& query);
  // Disabling ends the user's sessions. Throws not_found, or conflict when an admin would
  // demote or disable themselves.
  async<admin_user> update_user(const principal& by, const uuid& id, const user_patch& patch,
                                const audit::origin& from);
  // For `keel-cron run users.promote`. Throws not_found for an unknown address.
  async<admin_user> promote(const std::string& email, const audit::origin& from);

  // Deletes sessions ended or expired more than a day ago (a day keeps them visible to
  // support), used or expired links and expired codes, `batch` rows per statement.
  async<purge_result> purge(int batch = 1000);

 private:
  db::pool& db_;
};

}  // namespace keel::auth
