// The SQL of mail messages, and nothing else.
#pragma once
#include <chrono>
#include <optional>
#include <string_view>

#include "core/mail/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::mail::store {

// A new queued message; its id and creation time.
async<stored_message> insert(db::transaction& tx, const message& m);

async<std::optional<stored_message>> find(db::pool& db, const uuid& id);

struct started {
  stored_message message;  // now sending, this attempt counted
  status previous;         // sending: an earlier attempt never recorded how it ended
};

// Marks the message sending, counting the attempt, unless it was sent already or another
// attempt started less than `in_flight` ago. nullopt when it did not (or does not exist).
async<std::optional<started>> start_sending(db::pool& db, const uuid& id,
                                            std::chrono::seconds in_flight);

async<void> mark_sent(db::pool& db, const uuid& id);

async<void> mark_failed(db::pool& db, const uuid& id, std::string_view error);

}  // namespace keel::mail::store
