// Writing and reading the audit log. Writes join the caller's transaction, so an action and
// its audit row commit together or not at all.
#pragma once
#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "core/audit/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::audit {

// Arguments by reference: await each call at once.
async<void> record(db::transaction& tx, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const boost::json::object& details);

// The same on its own statement, for actions that write nothing else (a failed login).
async<void> record(db::pool& db, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const boost::json::object& details);

// Newest first; next_cursor is null on the last page.
async<entry_page> list(db::pool& db, const list_query& query);

}  // namespace keel::audit
