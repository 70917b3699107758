// Audit log statements.
#include "core/audit/store.hpp"

#include "core/db/pool.hpp"
#include "core/runtime/text.hpp"

namespace keel::audit::store {
namespace {

constexpr std::string_view insert_sql = R"sql(
    INSERT INTO audit_log (action, actor_id, user_id, ip, user_agent, request_id, details)
    VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), NULLIF($6, ''), $7::jsonb)
)sql";

// A user agent is client-controlled: keep the log's rows bounded, cut between characters
// (a cut inside one would be text PostgreSQL refuses).
std::string clipped(std::string_view user_agent) {
  return text::cleaned(user_agent, 512);
}

entry from_row(const db::row& r) {
  return {
      .id = r.get<uuid>(0),
      .action = r.get<std::string>(1),
      .actor_id = r.get<std::optional<uuid>>(2),
      .user_id = r.get<std::optional<uuid>>(3),
      .ip = r.get<std::optional<std::string>>(4),
      .user_agent = r.get<std::optional<std::string>>(5),
      .request_id = r.get<std::optional<std::string>>(6),
      .details = r.get<boost::json::value>(7),
      .created_at = r.get<timestamp>(8),
  };
}

}  // namespace

async<void> insert(db::transaction& tx, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const std::string& details_json) {
  std::string user_agent = clipped(from.user_agent);
  co_await tx.query(insert_sql, action, from.actor_id, user_id, from.ip, user_agent,
                    from.request_id, details_json);
}

async<void> insert(db::pool& db, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const std::string& details_json) {
  std::string user_agent = clipped(from.user_agent);
  co_await db.query(insert_sql, action, from.actor_id, user_id, from.ip, user_agent,
                    from.request_id, details_json);
}

async<std::vector<entry>> list(db::pool& db, const list_query& filters,
                               const std::optional<position>& after, int limit) {
  std::optional<uuid> before;
  if (after) before = after->id;
  auto rows = co_await db.query(R"sql(
      SELECT id, action, actor_id, user_id, ip, user_agent, request_id, details, created_at
        FROM audit_log
       WHERE ($1::uuid IS NULL OR user_id = $1)
         AND ($2::text IS NULL OR action = $2)
         AND ($3::uuid IS NULL OR id < $3)
       ORDER BY id DESC
       LIMIT $4
  )sql",
                                filters.user_id, filters.action, before, limit);
  std::vector<entry> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(from_row(r));
  co_return out;
}

}  // namespace keel::audit::store
