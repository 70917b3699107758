// Realtime's SQL.
#include "core/realtime/store.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/db/pool.hpp"

namespace keel::realtime::store {

async<std::int64_t> insert_event(db::transaction& tx, std::string_view channel,
                                 std::string_view type, const boost::json::object& data) {
  // The lock comes from the FROM item, so it is held before the identity default draws the
  // id: a second writer of this channel waits for the first to commit, then draws a larger id.
  auto rows = co_await tx.query(R"sql(
      INSERT INTO events (channel, type, data)
      SELECT $1, $2, $3::jsonb
        FROM (SELECT pg_advisory_xact_lock(hashtextextended('keel.events:' || $1, 0))) AS locked
      RETURNING id
  )sql",
                                channel, type, data);
  co_return rows[0].get<std::int64_t>(0);
}

async<std::vector<event>> events_after(db::pool& db, const boost::json::value& channels,
                                       std::int64_t after, int limit) {
  auto rows = co_await db.query(R"sql(
      SELECT id, channel, type, data::text, created_at
        FROM events
       WHERE channel IN (SELECT jsonb_array_elements_text($1::jsonb)) AND id > $2
       ORDER BY id
       LIMIT $3
  )sql",
                                channels, after, limit);
  std::vector<event> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    out.push_back(event{.id = r.get<std::int64_t>(0),
                        .channel = r.get<std::string>(1),
                        .type = r.get<std::string>(2),
                        .data = r.get<std::string>(3),
                        .created_at = r.get<timestamp>(4)});
  }
  co_return out;
}

async<std::int64_t> last_event_id(db::pool& db, std::string_view channel) {
  auto rows =
      co_await db.query("SELECT coalesce(max(id), 0) FROM events WHERE channel = $1", channel);
  co_return rows[0].get<std::int64_t>(0);
}

async<std::optional<timestamp>> event_time(db::pool& db, std::int64_t id) {
  auto rows = co_await db.query("SELECT created_at FROM events WHERE id = $1", id);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<timestamp>(0);
}

async<std::int64_t> delete_events_before(db::pool& db, timestamp before, int batch) {
  auto rows = co_await db.query(R"sql(
      WITH old AS (SELECT id FROM events WHERE created_at < $1 ORDER BY created_at LIMIT $2)
      DELETE FROM events e USING old WHERE e.id = old.id
      RETURNING e.id
  )sql",
                                before, batch);
  co_return static_cast<std::int64_t>(rows.size());
}

async<void> insert_ticket(db::pool& db, std::string_view token_hash, const uuid& user,
                          const uuid& session, std::chrono::seconds ttl) {
  std::int64_t seconds = ttl.count();
  co_await db.query(R"sql(
      INSERT INTO realtime_tickets (token_hash, user_id, session_id, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4))
  )sql",
                    token_hash, user, session, seconds);
}

async<std::optional<ticket_owner>> take_ticket(db::pool& db, std::string_view token_hash) {
  auto rows = co_await db.query(R"sql(
      DELETE FROM realtime_tickets WHERE token_hash = $1
      RETURNING user_id, session_id, expires_at > now()
  )sql",
                                token_hash);
  // A ticket past its time is spent all the same: it could only be tried again.
  if (rows.empty() || !rows[0].get<bool>(2)) co_return std::nullopt;
  co_return ticket_owner{.user_id = rows[0].get<uuid>(0), .session_id = rows[0].get<uuid>(1)};
}

async<std::int64_t> delete_expired_tickets(db::pool& db) {
  auto rows = co_await db.query(
      "DELETE FROM realtime_tickets WHERE expires_at <= now() RETURNING token_hash");
  co_return static_cast<std::int64_t>(rows.size());
}

}  // namespace keel::realtime::store
