// The SQL of rule templates, and nothing else.
#pragma once
#include <boost/describe/class.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/async.hpp"
#include "core/templates/dto.hpp"

namespace keel::db {
class pool;
}

namespace keel::templates::store {

// Where a page ends in the list order (sort_order, slug): the next page starts after it.
// It travels to the client and back as the page's opaque cursor (dto::make_cursor).
struct position {
  int sort_order = 0;
  std::string slug;
};
BOOST_DESCRIBE_STRUCT(position, (), (sort_order, slug))

async<std::optional<rule_template>> find_by_slug(db::pool& db, std::string_view slug);

// At most `limit` templates after `after` in (sort_order, slug) order, optionally of one category.
async<std::vector<rule_template>> list(db::pool& db, const std::optional<std::string>& category,
                                       const std::optional<position>& after, int limit);

}  // namespace keel::templates::store
