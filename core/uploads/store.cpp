// Upload queries.
#include "core/uploads/store.hpp"

#include "core/db/pool.hpp"

namespace keel::uploads::store {
namespace {

constexpr std::string_view columns = R"sql(
    id, owner_id, purpose, content_type, byte_length, file_name, object_key, status,
    variants_error, created_at)sql";

stored_upload from_row(const db::row& r) {
  return {
      .id = r.get<uuid>(0),
      .owner_id = r.get<std::optional<uuid>>(1),
      .purpose = r.get<std::string>(2),
      .content_type = r.get<std::string>(3),
      .byte_length = r.get<std::int64_t>(4),
      .file_name = r.get<std::string>(5),
      .object_key = r.get<std::string>(6),
      .status = r.get<std::string>(7),
      .variants_error = r.get<std::optional<std::string>>(8),
      .created_at = r.get<timestamp>(9),
  };
}

std::vector<uuid> ids_of(const db::result& rows) {
  std::vector<uuid> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(r.get<uuid>(0));
  return out;
}

}  // namespace

async<daily_usage> usage_today(db::transaction& tx, const uuid& owner) {
  co_await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('uploads:' || $1::text, 0))",
                    owner);
  auto rows = co_await tx.query(R"sql(
      SELECT count(*), coalesce(sum(byte_length), 0)::bigint
        FROM uploads
       WHERE owner_id = $1
         AND created_at > now() - interval '1 day'
  )sql",
                                owner);
  co_return daily_usage{rows[0].get<std::int64_t>(0), rows[0].get<std::int64_t>(1)};
}

async<stored_upload> insert(db::transaction& tx, const new_upload& u) {
  auto rows = co_await tx.query(std::string(R"sql(
      WITH made AS (SELECT uuidv7() AS id)
      INSERT INTO uploads (id, owner_id, purpose, content_type, byte_length, file_name, object_key)
      SELECT made.id, $1, $2, $3, $4, $5, 'uploads/' || made.id::text || '/' || $6
        FROM made
   RETURNING )sql")
                                    .append(columns),
                                u.owner_id, u.purpose, u.content_type, u.byte_length, u.file_name,
                                u.safe_name);
  co_return from_row(rows[0]);
}

async<std::optional<stored_upload>> find(db::pool& db, const uuid& id) {
  auto rows = co_await db.query(
      std::string("SELECT ").append(columns).append(" FROM uploads WHERE id = $1"), id);
  if (rows.empty()) co_return std::nullopt;
  co_return from_row(rows[0]);
}

async<std::optional<stored_upload>> find_for_update(db::transaction& tx, const uuid& id) {
  auto rows = co_await tx.query(
      std::string("SELECT ").append(columns).append(" FROM uploads WHERE id = $1 FOR UPDATE"), id);
  if (rows.empty()) co_return std::nullopt;
  co_return from_row(rows[0]);
}

async<void> set_status(db::transaction& tx, const uuid& id, const std::string& status) {
  co_await tx.query(R"sql(
      UPDATE uploads
         SET status = $2,
             completed_at = CASE WHEN $2 IN ('ready', 'rejected') THEN now() ELSE completed_at END,
             deleted_at = CASE WHEN $2 = 'deleted' THEN now() ELSE deleted_at END
       WHERE id = $1
  )sql",
                    id, status);
}

async<std::vector<stored_upload>> list(db::pool& db, const uuid& owner,
                                       const std::optional<std::string>& purpose,
                                       const std::optional<position>& after, int limit) {
  std::optional<uuid> after_id;
  if (after) after_id = after->id;
  auto rows = co_await db.query(std::string("SELECT ").append(columns).append(R"sql(
        FROM uploads
       WHERE owner_id = $1
         AND status <> 'deleted'
         AND ($2::text IS NULL OR purpose = $2)
         AND ($3::uuid IS NULL OR id < $3)
       ORDER BY id DESC
       LIMIT $4
  )sql"),
                                owner, purpose, after_id, limit);
  std::vector<stored_upload> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(from_row(r));
  co_return out;
}

async<std::vector<stored_variant>> variants_of(db::pool& db, const std::vector<uuid>& uploads) {
  // A uuid[] literal: the ids are hex and dashes, nothing that needs quoting.
  std::string ids = "{";
  for (const auto& id : uploads) ids.append(ids.size() > 1 ? "," : "").append(id.str());
  ids.push_back('}');
  auto rows = co_await db.query(R"sql(
      SELECT upload_id, size, object_key, width, height, byte_length
        FROM upload_variants
       WHERE upload_id = ANY($1::uuid[])
       ORDER BY upload_id, size
  )sql",
                                ids);
  std::vector<stored_variant> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    out.push_back({r.get<uuid>(0), r.get<std::int32_t>(1), r.get<std::string>(2),
                   r.get<std::int32_t>(3), r.get<std::int32_t>(4), r.get<std::int64_t>(5)});
  }
  co_return out;
}

async<void> save_variant(db::pool& db, const stored_variant& v) {
  co_await db.query(R"sql(
      INSERT INTO upload_variants (upload_id, size, object_key, width, height, byte_length)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (upload_id, size) DO UPDATE
         SET object_key = excluded.object_key, width = excluded.width,
             height = excluded.height, byte_length = excluded.byte_length
  )sql",
                    v.upload_id, v.size, v.object_key, v.width, v.height, v.byte_length);
}

async<void> set_variants_error(db::pool& db, const uuid& id, const std::string& reason) {
  co_await db.query("UPDATE uploads SET variants_error = left($2, 1000) WHERE id = $1", id, reason);
}

async<std::vector<uuid>> take_stale_pending(db::transaction& tx, std::int64_t older_than_seconds,
                                            int limit) {
  auto rows = co_await tx.query(R"sql(
      UPDATE uploads
         SET status = 'deleted', deleted_at = now()
       WHERE id IN (SELECT id
                      FROM uploads
                     WHERE status = 'pending'
                       AND created_at < now() - make_interval(secs => $1)
                     ORDER BY created_at
                     LIMIT $2
                       FOR UPDATE SKIP LOCKED)
   RETURNING id
  )sql",
                                older_than_seconds, limit);
  co_return ids_of(rows);
}

async<std::vector<uuid>> take_all_of(db::transaction& tx, const uuid& owner) {
  auto rows = co_await tx.query(R"sql(
      UPDATE uploads
         SET status = 'deleted', deleted_at = now()
       WHERE owner_id = $1 AND status <> 'deleted'
   RETURNING id
  )sql",
                                owner);
  co_return ids_of(rows);
}

}  // namespace keel::uploads::store
