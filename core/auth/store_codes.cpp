// Auth store: emailed sign-in codes and single-use links.
#include <boost/json/value.hpp>

#include "core/auth/store.hpp"
#include "core/db/pool.hpp"

namespace keel::auth::store {

async<void> replace_otp(db::transaction& tx, const std::string& email, const std::string& code_hash,
                        std::int64_t ttl, const std::optional<boost::json::value>& draft) {
  co_await tx.query(R"sql(
      INSERT INTO auth_otps (email, code_hash, expires_at, draft)
      VALUES ($1, $2, now() + make_interval(secs => $3::bigint), $4::jsonb)
      ON CONFLICT (email) DO UPDATE
         SET code_hash = EXCLUDED.code_hash, attempts = 0, expires_at = EXCLUDED.expires_at,
             created_at = now(), draft = EXCLUDED.draft
  )sql",
                    email, code_hash, ttl, draft);
}

async<std::optional<otp_state>> lock_otp(db::transaction& tx, const std::string& email) {
  auto rows = co_await tx.query(R"sql(
      SELECT code_hash, attempts, expires_at <= now(), draft
        FROM auth_otps
       WHERE email = $1
         FOR UPDATE
  )sql",
                                email);
  if (rows.empty()) co_return std::nullopt;
  co_return otp_state{.code_hash = rows[0].get<std::string>(0),
                      .attempts = rows[0].get<std::int32_t>(1),
                      .expired = rows[0].get<bool>(2),
                      .draft = rows[0].get<std::optional<boost::json::value>>(3)};
}

async<void> count_otp_failure(db::transaction& tx, const std::string& email) {
  co_await tx.query("UPDATE auth_otps SET attempts = attempts + 1 WHERE email = $1", email);
}

async<void> delete_otp(db::transaction& tx, const std::string& email) {
  co_await tx.query("DELETE FROM auth_otps WHERE email = $1", email);
}

async<void> insert_link_token(db::transaction& tx, const std::string& token_hash,
                              const uuid& user_id, std::string_view purpose, std::int64_t ttl) {
  co_await tx.query(R"sql(
      INSERT INTO auth_tokens (token_hash, user_id, purpose, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4::bigint))
  )sql",
                    token_hash, user_id, purpose, ttl);
}

async<bool> link_token_valid(db::pool& db, const std::string& token_hash,
                             std::string_view purpose) {
  auto rows = co_await db.query(R"sql(
      SELECT 1
        FROM auth_tokens
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
  )sql",
                                token_hash, purpose);
  co_return !rows.empty();
}

async<std::optional<uuid>> use_link_token(db::transaction& tx, const std::string& token_hash,
                                          std::string_view purpose) {
  auto rows = co_await tx.query(R"sql(
      UPDATE auth_tokens SET used_at = now()
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
      RETURNING user_id
  )sql",
                                token_hash, purpose);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<uuid>(0);
}

async<bool> link_token_known(db::transaction& tx, const std::string& token_hash,
                             std::string_view purpose) {
  auto rows = co_await tx.query("SELECT 1 FROM auth_tokens WHERE token_hash = $1 AND purpose = $2",
                                token_hash, purpose);
  co_return !rows.empty();
}

async<std::int64_t> spend_user_link_tokens(db::transaction& tx, const uuid& user_id,
                                           const std::optional<std::string>& purpose) {
  auto rows = co_await tx.query(R"sql(
      UPDATE auth_tokens SET used_at = now()
       WHERE user_id = $1 AND used_at IS NULL AND ($2::text IS NULL OR purpose = $2)
  )sql",
                                user_id, purpose);
  co_return static_cast<std::int64_t>(rows.affected_rows());
}

async<void> insert_email_change_token(db::transaction& tx, const std::string& token_hash,
                                      const uuid& user_id, const std::string& new_email,
                                      std::int64_t ttl) {
  co_await tx.query(R"sql(
      INSERT INTO auth_tokens (token_hash, user_id, purpose, new_email, expires_at)
      VALUES ($1, $2, 'change_email', $3, now() + make_interval(secs => $4::bigint))
  )sql",
                    token_hash, user_id, new_email, ttl);
}

async<std::optional<email_change>> use_email_change_token(db::transaction& tx,
                                                          const std::string& token_hash) {
  auto rows = co_await tx.query(R"sql(
      UPDATE auth_tokens SET used_at = now()
       WHERE token_hash = $1 AND purpose = 'change_email' AND used_at IS NULL
         AND expires_at > now()
      RETURNING user_id, new_email
  )sql",
                                token_hash);
  if (rows.empty()) co_return std::nullopt;
  co_return email_change{.user_id = rows[0].get<uuid>(0), .new_email = rows[0].get<std::string>(1)};
}

async<std::int64_t> purge_link_tokens(db::pool& db, int batch) {
  auto rows = co_await db.query(R"sql(
      DELETE FROM auth_tokens
       WHERE token_hash IN (SELECT token_hash FROM auth_tokens
                             WHERE used_at IS NOT NULL OR expires_at < now()
                             LIMIT $1)
  )sql",
                                batch);
  co_return static_cast<std::int64_t>(rows.affected_rows());
}

async<std::int64_t> purge_otps(db::pool& db, int batch) {
  auto rows = co_await db.query(R"sql(
      DELETE FROM auth_otps
       WHERE email IN (SELECT email FROM auth_otps WHERE expires_at < now() LIMIT $1)
  )sql",
                                batch);
  co_return static_cast<std::int64_t>(rows.affected_rows());
}

}  // namespace keel::auth::store
