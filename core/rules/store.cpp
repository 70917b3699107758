// Drafts, rules and stakeholders in PostgreSQL. Invite status is computed here from expires_at.
#include "core/rules/store.hpp"

#include <boost/json/value.hpp>

#include "core/db/pool.hpp"
#include "core/dto/json.hpp"

namespace keel::rulebook::store {
namespace {

// An invite link works for 7 days.
constexpr std::string_view invite_ttl = "7 days";

draft draft_from_row(const db::row& r) {
  return {
      .payload = r.get<boost::json::value>(0).as_object(),
      .version = r.get<std::int64_t>(1),
      .updated_at = r.get<timestamp>(2),
  };
}

// Columns 0-8: id, title, summary, document, created_at, updated_at, owner_id, version, role.
constexpr std::string_view rule_columns =
    "r.id, r.title, r.summary, r.document, r.created_at, r.updated_at, r.owner_id, r.version";

draft_stamp stamp_from_row(const db::row& r) {
  return {.version = r.get<std::int64_t>(0), .updated_at = r.get<timestamp>(1)};
}

stored_rule rule_from_row(const db::row& r, bool with_role) {
  stored_rule out{
      .view =
          {
              .id = r.get<uuid>(0),
              .title = r.get<std::string>(1),
              .summary = r.get<std::optional<std::string>>(2),
              .document = dto::decode<sections_document>(r.get<boost::json::value>(3)),
              .created_at = r.get<timestamp>(4),
              .updated_at = r.get<timestamp>(5),
              .viewer_role = std::nullopt,
          },
      .owner_id = r.get<std::optional<uuid>>(6),
      .version = r.get<std::int64_t>(7),
  };
  if (with_role) {
    auto role = r.get<std::optional<std::string>>(8);
    if (role == "owner") out.view.viewer_role = rule_relation::owner;
    if (role == "stakeholder") out.view.viewer_role = rule_relation::stakeholder;
  }
  return out;
}

// Columns 0-4: id, email, status, invited_at, accepted_at (then rule_id, sent_recently).
constexpr std::string_view stakeholder_columns = R"sql(
    s.id, s.email,
    CASE WHEN s.accepted_at IS NOT NULL THEN 'accepted'
         WHEN s.expires_at <= now() THEN 'expired'
         ELSE 'pending' END,
    s.invited_at, s.accepted_at, s.rule_id, s.last_sent_at > now() - interval '1 minute'
)sql";

stakeholder stakeholder_from_row(const db::row& r) {
  auto status = r.get<std::string>(2);
  return {
      .id = r.get<uuid>(0),
      .email = r.get<std::string>(1),
      .status = status == "accepted"  ? invite_status::accepted
                : status == "expired" ? invite_status::expired
                                      : invite_status::pending,
      .invited_at = r.get<timestamp>(3),
      .accepted_at = r.get<std::optional<timestamp>>(4),
  };
}

stored_stakeholder stored_stakeholder_from_row(const db::row& r) {
  return {
      .view = stakeholder_from_row(r),
      .rule_id = r.get<uuid>(5),
      .sent_within_a_minute = r.get<bool>(6),
  };
}

std::string sql(std::string_view head, std::string_view columns, std::string_view tail) {
  std::string out(head);
  out += columns;
  out += tail;
  return out;
}

}  // namespace

// ---- drafts ----

async<std::optional<draft>> find_draft(db::pool& db, const uuid& user) {
  auto rows = co_await db.query(
      "SELECT payload, version, updated_at FROM rule_drafts WHERE user_id = $1", user);
  if (rows.empty()) co_return std::nullopt;
  co_return draft_from_row(rows[0]);
}

// A save without a precondition: the new payload wins, a version higher. A save returns no
// payload: reading a large document back costs the database more than writing it.
constexpr const char* upsert_draft_sql = R"sql(
    INSERT INTO rule_drafts (user_id, payload) VALUES ($1, $2::jsonb)
    ON CONFLICT (user_id) DO UPDATE
      SET payload = EXCLUDED.payload, version = rule_drafts.version + 1, updated_at = now()
    RETURNING version, updated_at
)sql";

async<draft_stamp> save_draft(db::transaction& tx, const uuid& user,
                              const boost::json::object& payload) {
  auto rows = co_await tx.query(upsert_draft_sql, user, payload);
  co_return stamp_from_row(rows[0]);
}

async<void> save_draft(db::transaction& tx, const uuid& user, const boost::json::value& payload) {
  co_await tx.query(upsert_draft_sql, user, payload);
}

async<std::optional<draft_stamp>> create_draft(db::transaction& tx, const uuid& user,
                                               const boost::json::object& payload) {
  auto rows = co_await tx.query(R"sql(
      INSERT INTO rule_drafts (user_id, payload) VALUES ($1, $2::jsonb)
      ON CONFLICT (user_id) DO NOTHING
      RETURNING version, updated_at
  )sql",
                                user, payload);
  if (rows.empty()) co_return std::nullopt;
  co_return stamp_from_row(rows[0]);
}

async<std::optional<draft_stamp>> replace_draft(db::transaction& tx, const uuid& user,
                                                const boost::json::object& payload,
                                                std::int64_t version) {
  // Under READ COMMITTED a second writer waits on the row lock, then re-reads the row: it sees
  // the first writer's version and matches nothing.
  auto rows = co_await tx.query(R"sql(
      UPDATE rule_drafts SET payload = $2::jsonb, version = version + 1, updated_at = now()
       WHERE user_id = $1 AND version = $3
      RETURNING version, updated_at
  )sql",
                                user, payload, version);
  if (rows.empty()) co_return std::nullopt;
  co_return stamp_from_row(rows[0]);
}

async<bool> delete_draft(db::transaction& tx, const uuid& user) {
  auto rows =
      co_await tx.query("DELETE FROM rule_drafts WHERE user_id = $1 RETURNING user_id", user);
  co_return !rows.empty();
}

async<bool> may_follow(db::pool& db, const uuid& rule, const uuid& user) {
  auto rows = co_await db.query(R"sql(
      SELECT EXISTS (SELECT 1 FROM rules WHERE id = $1 AND owner_id = $2)
          OR EXISTS (SELECT 1 FROM rule_stakeholders
                      WHERE rule_id = $1 AND user_id = $2 AND accepted_at IS NOT NULL)
  )sql",
                                rule, user);
  co_return rows[0].get<bool>(0);
}

// ---- users ----

async<std::optional<account>> find_account(db::transaction& tx, const uuid& user) {
  auto rows = co_await tx.query(
      "SELECT email, email_verified_at IS NOT NULL FROM users WHERE id = $1", user);
  if (rows.empty()) co_return std::nullopt;
  co_return account{.email = rows[0].get<std::string>(0), .verified = rows[0].get<bool>(1)};
}

async<std::optional<uuid>> account_with_email(db::transaction& tx, std::string_view email) {
  auto rows = co_await tx.query("SELECT id FROM users WHERE email = $1", email);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<uuid>(0);
}

// ---- rules ----

async<std::optional<stored_rule>> find_rule(db::pool& db, const uuid& id,
                                            const std::optional<uuid>& viewer) {
  auto rows = co_await db.query(sql("SELECT ", rule_columns, R"sql(,
             CASE WHEN $2::uuid IS NULL THEN NULL
                  WHEN r.owner_id = $2 THEN 'owner'
                  WHEN EXISTS (SELECT 1 FROM rule_stakeholders s
                                WHERE s.rule_id = r.id AND s.user_id = $2) THEN 'stakeholder'
             END
        FROM rules r WHERE r.id = $1
  )sql"),
                                id, viewer);
  if (rows.empty()) co_return std::nullopt;
  co_return rule_from_row(rows[0], true);
}

async<std::optional<stored_rule>> lock_rule(db::transaction& tx, const uuid& id) {
  auto rows = co_await tx.query(
      sql("SELECT ", rule_columns, " FROM rules r WHERE r.id = $1 FOR UPDATE"), id);
  if (rows.empty()) co_return std::nullopt;
  co_return rule_from_row(rows[0], false);
}

async<stored_rule> insert_rule(db::transaction& tx, const uuid& owner, std::string_view title,
                               const std::optional<std::string>& summary,
                               const boost::json::value& document) {
  auto rows = co_await tx.query(sql(R"sql(
      INSERT INTO rules AS r (owner_id, title, summary, document)
      VALUES ($1, $2, $3, $4::jsonb)
      RETURNING )sql",
                                    rule_columns, ""),
                                owner, title, summary, document);
  co_return rule_from_row(rows[0], false);
}

async<stored_rule> update_rule(db::transaction& tx, const uuid& id,
                               const std::optional<std::string>& title,
                               const std::optional<std::string>& summary,
                               const std::optional<boost::json::value>& document) {
  auto rows = co_await tx.query(sql(R"sql(
      UPDATE rules AS r
         SET title = coalesce($2, r.title),
             summary = CASE WHEN $3::text IS NULL THEN r.summary ELSE NULLIF($3, '') END,
             document = coalesce($4::jsonb, r.document),
             version = r.version + 1,
             updated_at = now()
       WHERE r.id = $1
      RETURNING )sql",
                                    rule_columns, ""),
                                id, title, summary, document);
  co_return rule_from_row(rows[0], false);
}

async<void> delete_rule(db::transaction& tx, const uuid& id) {
  co_await tx.query("DELETE FROM rules WHERE id = $1", id);
}

async<std::vector<listed_rule>> list_rules(db::pool& db, const std::optional<std::string>& q,
                                           const std::optional<list_position>& after, int limit) {
  std::optional<double> after_rank;
  std::optional<std::string> after_updated;
  std::optional<std::string> after_id;
  if (after) {
    after_rank = after->rank;
    after_updated = after->updated_at;
    after_id = after->id;
  }
  // Every key descends, so one row comparison is the keyset; without q every rank is 0.
  auto rows = co_await db.query(R"sql(
      WITH ranked AS (
        SELECT r.id, r.title, r.summary, r.created_at, r.updated_at,
               CASE WHEN $1::text IS NULL THEN 0::float8
                    ELSE ts_rank(r.search, websearch_to_tsquery('english', $1))::float8 END
                 AS rank
          FROM rules r
         WHERE $1::text IS NULL OR r.search @@ websearch_to_tsquery('english', $1)
      )
      SELECT id, title, summary, created_at, updated_at, rank, updated_at::text AS position_at
        FROM ranked
       WHERE $2::float8 IS NULL
          OR (rank, updated_at, id) < ($2::float8, $3::timestamptz, $4::uuid)
       ORDER BY rank DESC, updated_at DESC, id DESC
       LIMIT $5
  )sql",
                                q, after_rank, after_updated, after_id, limit);
  std::vector<listed_rule> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    listed_rule l{
        .view = {.id = r.get<uuid>(0),
                 .title = r.get<std::string>(1),
                 .summary = r.get<std::optional<std::string>>(2),
                 .created_at = r.get<timestamp>(3),
                 .updated_at = r.get<timestamp>(4)},
        .at = {.rank = r.get<double>(5), .updated_at = r.get<std::string>(6), .id = {}},
    };
    l.at.id = l.view.id.str();
    out.push_back(std::move(l));
  }
  co_return out;
}

async<std::vector<listed_mine>> my_rules(db::pool& db, const uuid& user,
                                         const std::optional<list_position>& after, int limit) {
  std::optional<std::string> after_updated;
  std::optional<std::string> after_id;
  if (after) {
    after_updated = after->updated_at;
    after_id = after->id;
  }
  auto rows = co_await db.query(R"sql(
      WITH mine AS (
        SELECT r.id, r.title, r.summary, r.created_at, r.updated_at,
               CASE WHEN r.owner_id = $1 THEN 'owner' ELSE 'stakeholder' END AS role
          FROM rules r
         WHERE r.owner_id = $1
            OR EXISTS (SELECT 1 FROM rule_stakeholders s WHERE s.rule_id = r.id AND s.user_id = $1)
      )
      SELECT id, title, summary, created_at, updated_at, role, updated_at::text AS position_at
        FROM mine
       WHERE $2::timestamptz IS NULL OR (updated_at, id) < ($2::timestamptz, $3::uuid)
       ORDER BY updated_at DESC, id DESC
       LIMIT $4
  )sql",
                                user, after_updated, after_id, limit);
  std::vector<listed_mine> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    listed_mine l;
    l.view.id = r.get<uuid>(0);
    l.view.title = r.get<std::string>(1);
    l.view.summary = r.get<std::optional<std::string>>(2);
    l.view.created_at = r.get<timestamp>(3);
    l.view.updated_at = r.get<timestamp>(4);
    l.view.role =
        r.get<std::string>(5) == "owner" ? rule_relation::owner : rule_relation::stakeholder;
    l.at = {.rank = 0, .updated_at = r.get<std::string>(6), .id = l.view.id.str()};
    out.push_back(std::move(l));
  }
  co_return out;
}

// ---- stakeholders ----

async<std::vector<stakeholder>> list_stakeholders(db::pool& db, const uuid& rule_id) {
  auto rows = co_await db.query(
      sql("SELECT ", stakeholder_columns,
          " FROM rule_stakeholders s WHERE s.rule_id = $1 ORDER BY s.invited_at, s.id"),
      rule_id);
  std::vector<stakeholder> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(stakeholder_from_row(r));
  co_return out;
}

async<int> count_stakeholders(db::transaction& tx, const uuid& rule_id) {
  auto rows = co_await tx.query(
      "SELECT count(*)::integer FROM rule_stakeholders WHERE rule_id = $1", rule_id);
  co_return rows[0].get<std::int32_t>(0);
}

async<std::optional<stakeholder>> insert_stakeholder(db::transaction& tx, const uuid& rule_id,
                                                     std::string_view email,
                                                     std::string_view token_hash) {
  auto rows = co_await tx.query(sql(R"sql(
      INSERT INTO rule_stakeholders AS s (rule_id, email, token_hash, expires_at)
      VALUES ($1, $2, $3, now() + $4::interval)
      ON CONFLICT (rule_id, email) DO NOTHING
      RETURNING )sql",
                                    stakeholder_columns, ""),
                                rule_id, email, token_hash, invite_ttl);
  if (rows.empty()) co_return std::nullopt;
  co_return stakeholder_from_row(rows[0]);
}

async<std::optional<stored_stakeholder>> lock_stakeholder(db::transaction& tx, const uuid& rule_id,
                                                          const uuid& id) {
  auto rows = co_await tx.query(
      sql("SELECT ", stakeholder_columns,
          " FROM rule_stakeholders s WHERE s.rule_id = $1 AND s.id = $2 FOR UPDATE"),
      rule_id, id);
  if (rows.empty()) co_return std::nullopt;
  co_return stored_stakeholder_from_row(rows[0]);
}

async<void> renew_invite(db::transaction& tx, const uuid& id, std::string_view token_hash) {
  co_await tx.query(R"sql(
      UPDATE rule_stakeholders
         SET token_hash = $2, expires_at = now() + $3::interval, last_sent_at = now()
       WHERE id = $1
  )sql",
                    id, token_hash, invite_ttl);
}

async<void> delete_stakeholder(db::transaction& tx, const uuid& id) {
  co_await tx.query("DELETE FROM rule_stakeholders WHERE id = $1", id);
}

async<std::optional<stored_stakeholder>> lock_invite(db::transaction& tx,
                                                     std::string_view token_hash) {
  auto rows = co_await tx.query(
      sql("SELECT ", stakeholder_columns,
          " FROM rule_stakeholders s WHERE s.token_hash = $1 AND s.accepted_at IS NULL FOR UPDATE"),
      token_hash);
  if (rows.empty()) co_return std::nullopt;
  co_return stored_stakeholder_from_row(rows[0]);
}

async<void> accept_invite(db::transaction& tx, const uuid& id, const uuid& user) {
  // The token goes: a link works once.
  co_await tx.query(R"sql(
      UPDATE rule_stakeholders SET accepted_at = now(), user_id = $2, token_hash = NULL
       WHERE id = $1
  )sql",
                    id, user);
}

}  // namespace keel::rulebook::store
