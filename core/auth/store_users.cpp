// Auth store: accounts, lockout counters, and the admin's view of users.
#include "core/auth/store.hpp"
#include "core/db/error.hpp"
#include "core/db/pool.hpp"

namespace keel::auth::store {
namespace {

// The columns user_from_row() reads, in its order.
constexpr std::string_view user_columns = R"sql(
    id, email, name, email_verified_at IS NOT NULL, role, created_at, password_hash,
    disabled_at IS NOT NULL,
    GREATEST(0, ceil(extract(epoch FROM locked_until - now())))::bigint
)sql";

user_row user_from_row(const db::row& r) {
  return {
      .view =
          {
              .id = r.get<uuid>(0),
              .email = r.get<std::string>(1),
              .name = r.get<std::optional<std::string>>(2),
              .email_verified = r.get<bool>(3),
              .role = r.get<std::string>(4),
              .created_at = r.get<timestamp>(5),
          },
      .password_hash = r.get<std::optional<std::string>>(6),
      .disabled = r.get<bool>(7),
      .locked_for = r.get<std::optional<std::int64_t>>(8).value_or(0),
  };
}

admin_user admin_from_row(const db::row& r) {
  return {
      .id = r.get<uuid>(0),
      .email = r.get<std::string>(1),
      .name = r.get<std::optional<std::string>>(2),
      .email_verified = r.get<bool>(3),
      .role = r.get<std::string>(4),
      .disabled = r.get<bool>(5),
      .created_at = r.get<timestamp>(6),
  };
}

}  // namespace

async<std::optional<user_row>> insert_user(db::transaction& tx, const std::string& email,
                                           const std::optional<std::string>& name,
                                           const std::optional<std::string>& password_hash,
                                           bool email_verified) {
  static const std::string sql = std::string(R"sql(
      INSERT INTO users (email, name, password_hash, email_verified_at)
      VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)
      ON CONFLICT (email) DO NOTHING
      RETURNING )sql") + std::string(user_columns);
  auto rows = co_await tx.query(sql, email, name, password_hash, email_verified);
  if (rows.empty()) co_return std::nullopt;
  co_return user_from_row(rows[0]);
}

async<std::optional<user_row>> find_user_by_email(db::pool& db, const std::string& email) {
  static const std::string sql =
      "SELECT " + std::string(user_columns) + " FROM users WHERE email = $1";
  auto rows = co_await db.query(sql, email);
  if (rows.empty()) co_return std::nullopt;
  co_return user_from_row(rows[0]);
}

async<std::optional<user_row>> find_user_by_email(db::transaction& tx, const std::string& email) {
  static const std::string sql =
      "SELECT " + std::string(user_columns) + " FROM users WHERE email = $1 FOR UPDATE";
  auto rows = co_await tx.query(sql, email);
  if (rows.empty()) co_return std::nullopt;
  co_return user_from_row(rows[0]);
}

async<std::optional<user_row>> find_user(db::transaction& tx, const uuid& id) {
  static const std::string sql =
      "SELECT " + std::string(user_columns) + " FROM users WHERE id = $1";
  auto rows = co_await tx.query(sql, id);
  if (rows.empty()) co_return std::nullopt;
  co_return user_from_row(rows[0]);
}

async<std::int64_t> count_login_failure(db::pool& db, const uuid& user_id, std::int64_t window,
                                        int threshold, std::int64_t lock_for) {
  // A window starts at its first failure; reaching the threshold locks the account and starts
  // the count afresh, so the lock does not renew itself on the next failure.
  auto rows = co_await db.query(R"sql(
      WITH counted AS (
        SELECT id,
               CASE WHEN failed_logins_since IS NULL
                      OR failed_logins_since < now() - make_interval(secs => $2::bigint)
                    THEN 1 ELSE failed_logins + 1 END AS failures,
               CASE WHEN failed_logins_since IS NULL
                      OR failed_logins_since < now() - make_interval(secs => $2::bigint)
                    THEN now() ELSE failed_logins_since END AS since
          FROM users
         WHERE id = $1
      )
      UPDATE users u
         SET failed_logins = CASE WHEN c.failures >= $3 THEN 0 ELSE c.failures END,
             failed_logins_since = CASE WHEN c.failures >= $3 THEN NULL ELSE c.since END,
             locked_until = CASE WHEN c.failures >= $3 THEN now() + make_interval(secs => $4::bigint)
                                 ELSE u.locked_until END
        FROM counted c
       WHERE u.id = c.id
      RETURNING GREATEST(0, ceil(extract(epoch FROM u.locked_until - now())))::bigint
  )sql",
                                user_id, window, threshold, lock_for);
  if (rows.empty()) co_return 0;
  co_return rows[0].get<std::optional<std::int64_t>>(0).value_or(0);
}

async<void> clear_login_failures(db::transaction& tx, const uuid& user_id) {
  co_await tx.query(R"sql(
      UPDATE users
         SET failed_logins = 0, failed_logins_since = NULL, locked_until = NULL
       WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)
  )sql",
                    user_id);
}

async<void> set_password_hash(db::transaction& tx, const uuid& user_id, const std::string& hash) {
  co_await tx.query(R"sql(
      UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1
  )sql",
                    user_id, hash);
}

async<void> mark_email_verified(db::transaction& tx, const uuid& user_id) {
  co_await tx.query(R"sql(
      UPDATE users
         SET email_verified_at = COALESCE(email_verified_at, now()), updated_at = now()
       WHERE id = $1
  )sql",
                    user_id);
}

async<bool> change_email(db::transaction& tx, const uuid& user_id, const std::string& email) {
  // Checked first so that the usual case is no failed statement; the unique index still
  // decides between two changes to one address at once.
  auto taken =
      co_await tx.query("SELECT 1 FROM users WHERE email = $1 AND id <> $2", email, user_id);
  if (!taken.empty()) co_return false;
  bool collided = false;
  try {
    co_await tx.query(R"sql(
        UPDATE users
           SET email = $2, email_verified_at = now(), updated_at = now()
         WHERE id = $1
    )sql",
                      user_id, email);
  } catch (const db::error& e) {
    if (!e.is_unique_violation()) throw;
    collided = true;
  }
  co_return !collided;
}

async<bool> delete_user(db::transaction& tx, const uuid& user_id) {
  auto rows = co_await tx.query("DELETE FROM users WHERE id = $1", user_id);
  co_return rows.affected_rows() > 0;
}

async<std::vector<admin_user>> list_users(db::pool& db, const std::optional<uuid>& after,
                                          int limit) {
  auto rows = co_await db.query(R"sql(
      SELECT id, email, name, email_verified_at IS NOT NULL, role, disabled_at IS NOT NULL,
             created_at
        FROM users
       WHERE ($1::uuid IS NULL OR id > $1)
       ORDER BY id
       LIMIT $2
  )sql",
                                after, limit);
  std::vector<admin_user> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(admin_from_row(r));
  co_return out;
}

async<std::optional<admin_user>> update_user(db::transaction& tx, const uuid& id,
                                             const std::optional<std::string>& role,
                                             const std::optional<bool>& disabled) {
  auto rows = co_await tx.query(R"sql(
      UPDATE users
         SET role = COALESCE($2, role),
             disabled_at = CASE WHEN $3::boolean IS NULL THEN disabled_at
                                WHEN $3 THEN COALESCE(disabled_at, now())
                                ELSE NULL END,
             updated_at = now()
       WHERE id = $1
      RETURNING id, email, name, email_verified_at IS NOT NULL, role, disabled_at IS NOT NULL,
                created_at
  )sql",
                                id, role, disabled);
  if (rows.empty()) co_return std::nullopt;
  co_return admin_from_row(rows[0]);
}

async<std::optional<admin_user>> set_role_by_email(db::transaction& tx, const std::string& email,
                                                   std::string_view role) {
  auto rows = co_await tx.query(R"sql(
      UPDATE users SET role = $2, updated_at = now()
       WHERE email = $1
      RETURNING id, email, name, email_verified_at IS NOT NULL, role, disabled_at IS NOT NULL,
                created_at
  )sql",
                                email, role);
  if (rows.empty()) co_return std::nullopt;
  co_return admin_from_row(rows[0]);
}

}  // namespace keel::auth::store
