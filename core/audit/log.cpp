// Recording actions and paging through them; the SQL is the store's.
#include "core/audit/log.hpp"

#include <boost/json/serialize.hpp>

#include "core/audit/store.hpp"
#include "core/dto/cursor.hpp"

namespace keel::audit {

async<void> record(db::transaction& tx, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const boost::json::object& details) {
  std::string details_json = boost::json::serialize(details);
  co_await store::insert(tx, from, action, user_id, details_json);
}

async<void> record(db::pool& db, const origin& from, std::string_view action,
                   const std::optional<uuid>& user_id, const boost::json::object& details) {
  std::string details_json = boost::json::serialize(details);
  co_await store::insert(db, from, action, user_id, details_json);
}

async<entry_page> list(db::pool& db, const list_query& query) {
  auto at = dto::read_page<store::position>(query.limit, query.cursor);
  auto rows = co_await store::list(db, query, at.after, at.fetch());
  co_return dto::make_page(std::move(rows), at,
                           [](const entry& e) { return store::position{e.id}; });
}

}  // namespace keel::audit
