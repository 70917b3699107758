// Auth store: sessions and the refresh tokens of each.
#include "core/auth/store.hpp"
#include "core/db/pool.hpp"

namespace keel::auth::store {

async<uuid> insert_session(db::transaction& tx, const new_session& s) {
  auto rows = co_await tx.query(R"sql(
      INSERT INTO auth_sessions (user_id, user_agent, ip, idle_expires_at, expires_at)
      VALUES ($1, NULLIF(left($2, 512), ''), NULLIF(left($3, 64), ''),
              now() + make_interval(secs => LEAST($4::bigint, $5::bigint)),
              now() + make_interval(secs => $5::bigint))
      RETURNING id
  )sql",
                                s.user_id, s.user_agent, s.ip, s.idle_ttl, s.max_ttl);
  co_return rows[0].get<uuid>(0);
}

async<void> insert_refresh_token(db::transaction& tx, const std::string& token_hash,
                                 const uuid& session_id, std::int64_t issued_at) {
  co_await tx.query(R"sql(
      INSERT INTO auth_refresh_tokens (token_hash, session_id, issued_at)
      VALUES ($1, $2, to_timestamp($3))
  )sql",
                    token_hash, session_id, issued_at);
}

async<std::optional<refresh_state>> lock_refresh_token(db::transaction& tx,
                                                       const std::string& token_hash,
                                                       std::int64_t grace) {
  // The session first, then the token: the order in which deleting an account (users, then
  // its sessions, then their tokens, by cascade) and ending sessions take them. Locked in
  // one statement, the order would be the plan's, and a refresh racing an account deletion
  // could deadlock.
  co_await tx.query(R"sql(
      SELECT 1
        FROM auth_sessions
       WHERE id = (SELECT session_id FROM auth_refresh_tokens WHERE token_hash = $1)
         FOR UPDATE
  )sql",
                    token_hash);
  auto rows = co_await tx.query(R"sql(
      SELECT t.session_id, s.user_id, t.spent_at IS NOT NULL,
             COALESCE(t.spent_at >= now() - make_interval(secs => $2::bigint), false),
             s.ended_at IS NULL AND s.expires_at > now() AND s.idle_expires_at > now()
        FROM auth_refresh_tokens t
        JOIN auth_sessions s ON s.id = t.session_id
       WHERE t.token_hash = $1
         FOR UPDATE OF t, s
  )sql",
                                token_hash, grace);
  if (rows.empty()) co_return std::nullopt;
  auto r = rows[0];
  co_return refresh_state{
      .session_id = r.get<uuid>(0),
      .user_id = r.get<uuid>(1),
      .spent = r.get<bool>(2),
      .within_grace = r.get<bool>(3),
      .session_active = r.get<bool>(4),
  };
}

async<std::optional<std::int64_t>> refresh_token_issued_at(db::transaction& tx,
                                                           const std::string& token_hash) {
  auto rows = co_await tx.query(R"sql(
      SELECT extract(epoch FROM issued_at)::bigint
        FROM auth_refresh_tokens
       WHERE token_hash = $1
  )sql",
                                token_hash);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<std::int64_t>(0);
}

async<void> spend_refresh_token(db::transaction& tx, const std::string& token_hash) {
  co_await tx.query(R"sql(
      UPDATE auth_refresh_tokens SET spent_at = now() WHERE token_hash = $1
  )sql",
                    token_hash);
}

async<void> touch_session(db::transaction& tx, const uuid& session_id, std::int64_t idle_ttl) {
  co_await tx.query(R"sql(
      UPDATE auth_sessions
         SET last_used_at = now(),
             idle_expires_at = LEAST(now() + make_interval(secs => $2::bigint), expires_at)
       WHERE id = $1
  )sql",
                    session_id, idle_ttl);
}

async<bool> end_session(db::transaction& tx, const uuid& session_id, std::string_view reason) {
  auto rows = co_await tx.query(R"sql(
      UPDATE auth_sessions SET ended_at = now(), end_reason = $2
       WHERE id = $1 AND ended_at IS NULL
  )sql",
                                session_id, reason);
  co_return rows.affected_rows() > 0;
}

async<std::int64_t> end_user_sessions(db::transaction& tx, const uuid& user_id,
                                      std::string_view reason, const std::optional<uuid>& keep) {
  auto rows = co_await tx.query(R"sql(
      UPDATE auth_sessions SET ended_at = now(), end_reason = $2
       WHERE user_id = $1 AND ended_at IS NULL AND ($3::uuid IS NULL OR id <> $3)
  )sql",
                                user_id, reason, keep);
  co_return static_cast<std::int64_t>(rows.affected_rows());
}

async<std::optional<active_session>> find_active_session(db::pool& db, const uuid& session_id) {
  auto rows = co_await db.query(R"sql(
      SELECT u.id, u.email, u.name, u.email_verified_at IS NOT NULL, u.role, u.created_at
        FROM auth_sessions s
        JOIN users u ON u.id = s.user_id
       WHERE s.id = $1
         AND s.ended_at IS NULL AND s.expires_at > now() AND s.idle_expires_at > now()
         AND u.disabled_at IS NULL
  )sql",
                                session_id);
  if (rows.empty()) co_return std::nullopt;
  auto r = rows[0];
  co_return active_session{.user = {
                               .id = r.get<uuid>(0),
                               .email = r.get<std::string>(1),
                               .name = r.get<std::optional<std::string>>(2),
                               .email_verified = r.get<bool>(3),
                               .role = r.get<std::string>(4),
                               .created_at = r.get<timestamp>(5),
                           }};
}

async<std::vector<uuid>> open_sessions(db::pool& db, const boost::json::value& session_ids) {
  auto rows = co_await db.query(R"sql(
      SELECT s.id
        FROM auth_sessions s
        JOIN users u ON u.id = s.user_id
       WHERE s.id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)
         AND s.ended_at IS NULL AND s.expires_at > now() AND s.idle_expires_at > now()
         AND u.disabled_at IS NULL
  )sql",
                                session_ids);
  std::vector<uuid> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(r.get<uuid>(0));
  co_return out;
}

async<std::vector<session_view>> list_sessions(db::pool& db, const uuid& user_id,
                                               const uuid& current) {
  auto rows = co_await db.query(R"sql(
      SELECT id, user_agent, ip, created_at, last_used_at, id = $2
        FROM auth_sessions
       WHERE user_id = $1
         AND ended_at IS NULL AND expires_at > now() AND idle_expires_at > now()
       ORDER BY last_used_at DESC, id
  )sql",
                                user_id, current);
  std::vector<session_view> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    out.push_back({
        .id = r.get<uuid>(0),
        .user_agent = r.get<std::optional<std::string>>(1),
        .ip = r.get<std::optional<std::string>>(2),
        .created_at = r.get<timestamp>(3),
        .last_used_at = r.get<timestamp>(4),
        .current = r.get<bool>(5),
    });
  }
  co_return out;
}

async<std::optional<uuid>> session_owner(db::transaction& tx, const uuid& session_id) {
  auto rows = co_await tx.query(R"sql(
      SELECT user_id FROM auth_sessions WHERE id = $1 AND ended_at IS NULL
  )sql",
                                session_id);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<uuid>(0);
}

async<std::optional<std::int64_t>> session_signed_in_ago(db::transaction& tx,
                                                         const uuid& session_id) {
  auto rows = co_await tx.query(R"sql(
      SELECT floor(extract(epoch FROM now() - created_at))::bigint
        FROM auth_sessions
       WHERE id = $1 AND ended_at IS NULL
  )sql",
                                session_id);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<std::int64_t>(0);
}

async<std::int64_t> purge_sessions(db::pool& db, std::int64_t keep, int batch) {
  auto rows = co_await db.query(R"sql(
      DELETE FROM auth_sessions
       WHERE id IN (SELECT id FROM auth_sessions
                     WHERE COALESCE(ended_at, LEAST(expires_at, idle_expires_at))
                           < now() - make_interval(secs => $1::bigint)
                     LIMIT $2)
  )sql",
                                keep, batch);
  co_return static_cast<std::int64_t>(rows.affected_rows());
}

}  // namespace keel::auth::store
