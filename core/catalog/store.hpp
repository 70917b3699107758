// The SQL of the governance catalog, and nothing else.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
}

namespace keel::catalog::store {

// Where a page of templates ends in the list order (score desc, featured first, sort_order,
// title, slug): the next page starts after it. It travels as the page's opaque cursor.
struct template_position {
  int score = 0;
  bool featured = false;
  int sort_order = 0;
  std::string title;
  std::string slug;
};
BOOST_DESCRIBE_STRUCT(template_position, (), (score, featured, sort_order, title, slug))

// `wanted` is a JSON array of {facet_group, facet_value, ord}: the facets asked for, without
// repeats, `ord` giving the order matched_facets lists them in. An empty array scores all 0.

// At most `limit` templates after `after`, optionally of one category, each scored.
async<std::vector<governance_template>> list_templates(
    db::pool& db, const std::optional<std::string>& category, const boost::json::value& wanted,
    const std::optional<template_position>& after, int limit);

// The template and the methods it is made of (body order), or nullopt.
async<std::optional<template_detail>> find_template(db::pool& db, std::string_view slug);

// Every method of one section, scored, best first, ties in catalog order.
async<std::vector<catalog_method>> rank_methods(db::pool& db, std::string_view section,
                                                const boost::json::value& wanted);

}  // namespace keel::catalog::store
