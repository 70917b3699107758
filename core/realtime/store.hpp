// The SQL of realtime, and nothing else: events and tickets, one query per function.
#pragma once
#include <boost/json/fwd.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/realtime/event.hpp"
#include "core/runtime/async.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::realtime::store {

// Inserts the event after taking the channel's transaction lock, so events of one channel
// commit in id order. Returns its id.
async<std::int64_t> insert_event(db::transaction& tx, std::string_view channel,
                                 std::string_view type, const boost::json::object& data);

// Events of `channels` (a JSON array of names) after id `after`, oldest first, at most `limit`.
async<std::vector<event>> events_after(db::pool& db, const boost::json::value& channels,
                                       std::int64_t after, int limit);

// The newest event id of the channel (0 when it has none).
async<std::int64_t> last_event_id(db::pool& db, std::string_view channel);

// When event `id` was written; nullopt when it is not (or no longer) in the table.
async<std::optional<timestamp>> event_time(db::pool& db, std::int64_t id);

// Deletes up to `batch` events written before `before`; returns how many.
async<std::int64_t> delete_events_before(db::pool& db, timestamp before, int batch);

struct ticket_owner {
  uuid user_id;
  uuid session_id;
};

async<void> insert_ticket(db::pool& db, std::string_view token_hash, const uuid& user,
                          const uuid& session, std::chrono::seconds ttl);
// Spends the ticket: nullopt when it is unknown, used or expired.
async<std::optional<ticket_owner>> take_ticket(db::pool& db, std::string_view token_hash);
async<std::int64_t> delete_expired_tickets(db::pool& db);

}  // namespace keel::realtime::store
