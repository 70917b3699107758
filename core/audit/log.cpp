// Audit log statements.
#include "core/audit/log.hpp"

#include <boost/describe/class.hpp>
#include <boost/json/serialize.hpp>

#include "core/db/pool.hpp"
#include "core/dto/cursor.hpp"

namespace keel::audit {
namespace {

constexpr std::string_view insert_sql = R"sql(
    INSERT INTO audit_log (action, actor_id, user_id, ip, user_agent, request_id, details)
    VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), NULLIF($6, ''), $7::jsonb)
)sql";

// Where a page ends: ids are UUIDv7, so id order is time order.
struct position {
  std::string id;
};
BOOST_DESCRIBE_STRUCT(position, (), (id))

// The length of the valid UTF-8 character at the start of `s` (not NUL: PostgreSQL's text
// cannot hold it); 0 when it is not one.
std::size_t character_at(std::string_view s) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(0);
  if (lead == 0) return 0;
  if (lead < 0x80) return 1;
  std::size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (n == 0 || lead > 0xF4 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
  if (lead == 0xE0 && byte(1) < 0xA0) return 0;
  if (lead == 0xED && byte(1) >= 0xA0) return 0;
  if (lead == 0xF0 && byte(1) < 0x90) return 0;
  if (lead == 0xF4 && byte(1) >= 0x90) return 0;
  return n;
}

// A user agent is client-controlled, and a row the database refuses would lose the audit of
// a failed sign-in: clip it to 512 bytes on a character boundary, and store each byte that
// is not part of valid UTF-8 (or is NUL) as U+FFFD.
std::string storable(std::string_view text) {
  constexpr std::size_t max_bytes = 512;
  constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  while (!text.empty()) {
    std::size_t n = character_at(text);
    std::string_view piece = n == 0 ? replacement : text.substr(0, n);
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
    text.remove_prefix(n == 0 ? 1 : n);
  }
  return out;
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

async<void> record(db::transaction& tx, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const boost::json::object& details) {
  std::string details_json = boost::json::serialize(details);
  std::string user_agent = storable(from.user_agent);
  co_await tx.query(insert_sql, action, from.actor_id, user_id, from.ip, user_agent,
                    from.request_id, details_json);
}

async<void> record(db::pool& db, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const boost::json::object& details) {
  std::string details_json = boost::json::serialize(details);
  std::string user_agent = storable(from.user_agent);
  co_await db.query(insert_sql, action, from.actor_id, user_id, from.ip, user_agent,
                    from.request_id, details_json);
}

async<entry_page> list(db::pool& db, const list_query& query) {
  std::optional<uuid> before;
  if (query.cursor) {
    auto at = dto::read_cursor<position>(*query.cursor);
    before = uuid::parse(at.id);
    if (!before)
      throw validation_failed(std::vector<field_error>{{"cursor", "is not a valid cursor"}});
  }
  int limit = query.limit.value_or(50);
  auto rows = co_await db.query(R"sql(
      SELECT id, action, actor_id, user_id, ip, user_agent, request_id, details, created_at
        FROM audit_log
       WHERE ($1::uuid IS NULL OR user_id = $1)
         AND ($2::text IS NULL OR action = $2)
         AND ($3::uuid IS NULL OR id < $3)
       ORDER BY id DESC
       LIMIT $4
  )sql",
                                query.user_id, query.action, before, limit + 1);
  entry_page page;
  for (auto r : rows) page.data.push_back(from_row(r));
  if (static_cast<int>(page.data.size()) > limit) {
    page.data.pop_back();
    page.next_cursor = dto::make_cursor(position{page.data.back().id.str()});
  }
  co_return page;
}

}  // namespace keel::audit
