// Rule template queries.
#include "core/templates/store.hpp"

#include "core/db/pool.hpp"

namespace keel::templates::store {
namespace {

rule_template from_row(const db::row& r) {
  return {
      .slug = r.get<std::string>(0),
      .title = r.get<std::string>(1),
      .category = r.get<std::string>(2),
      .description = r.get<std::string>(3),
      .document = r.get<boost::json::value>(4),
      .sort_order = r.get<std::int32_t>(5),
      .created_at = r.get<timestamp>(6),
      .updated_at = r.get<timestamp>(7),
  };
}

}  // namespace

async<std::optional<rule_template>> find_by_slug(db::pool& db, std::string_view slug) {
  auto rows = co_await db.query(R"sql(
      SELECT slug, title, category, description, document, sort_order, created_at, updated_at
        FROM rule_templates
       WHERE slug = $1
  )sql",
                                slug);
  if (rows.empty()) co_return std::nullopt;
  co_return from_row(rows[0]);
}

async<std::vector<rule_template>> list(db::pool& db, const std::optional<std::string>& category,
                                       const std::optional<position>& after, int limit) {
  std::optional<int> after_order;
  std::optional<std::string> after_slug;
  if (after) {
    after_order = after->sort_order;
    after_slug = after->slug;
  }
  auto rows = co_await db.query(R"sql(
      SELECT slug, title, category, description, document, sort_order, created_at, updated_at
        FROM rule_templates
       WHERE ($1::text IS NULL OR category = $1)
         AND ($2::int IS NULL OR (sort_order, slug) > ($2, $3::text))
       ORDER BY sort_order, slug
       LIMIT $4
  )sql",
                                category, after_order, after_slug, limit);
  std::vector<rule_template> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(from_row(r));
  co_return out;
}

}  // namespace keel::templates::store
