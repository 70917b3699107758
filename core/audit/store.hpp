// The SQL of the audit log, and nothing else: one query per function.
#pragma once
#include <boost/describe/class.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/audit/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::audit::store {

// Where a list page ends: ids are UUIDv7, so id order is time order.
struct position {
  uuid id;
};
BOOST_DESCRIBE_STRUCT(position, (), (id))

// One audit row in `tx`: it exists if and only if the change it records commits.
async<void> insert(db::transaction& tx, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const std::string& details_json);

// The same on a statement of its own, for an action that writes nothing else.
async<void> insert(db::pool& db, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const std::string& details_json);

// At most `limit` entries older than `after`, newest first, optionally of one user or action.
async<std::vector<entry>> list(db::pool& db, const list_query& filters,
                               const std::optional<position>& after, int limit);

}  // namespace keel::audit::store
