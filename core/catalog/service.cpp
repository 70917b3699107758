// Governance catalog decisions: which facets were asked for, paging and its cursor.
#include "core/catalog/service.hpp"

#include <boost/describe/enum_to_string.hpp>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "core/catalog/store.hpp"
#include "core/dto/cursor.hpp"
#include "core/runtime/error.hpp"

namespace keel::catalog {
namespace {

template <class E>
void add_facets(boost::json::array& wanted, std::string_view group,
                const std::optional<std::vector<E>>& values) {
  if (!values) return;
  for (E v : *values) {
    std::string_view name = boost::describe::enum_to_string(v, "");
    bool repeat = std::any_of(wanted.begin(), wanted.end(), [&](const boost::json::value& w) {
      return w.at("facet_group").as_string() == group && w.at("facet_value").as_string() == name;
    });
    if (repeat) continue;  // ?size=a&size=a asks for a once
    wanted.push_back(boost::json::object{
        {"facet_group", group},
        {"facet_value", name},
        {"ord", static_cast<std::int64_t>(wanted.size())},
    });
  }
}

// The facets asked for, in the order the groups and values were given, as the store takes them.
boost::json::value wanted_facets(const facet_filter& filter) {
  boost::json::array wanted;
  add_facets(wanted, "size", filter.size);
  add_facets(wanted, "org_type", filter.org_type);
  add_facets(wanted, "scale", filter.scale);
  add_facets(wanted, "maturity", filter.maturity);
  return wanted;
}

}  // namespace

async<template_page> service::list_templates(const template_query& query) {
  auto at = dto::read_page<store::template_position>(query.limit, query.cursor);
  boost::json::value wanted = wanted_facets(query);
  auto rows = co_await store::list_templates(db_, query.category, wanted, at.after, at.fetch());
  co_return dto::make_page(std::move(rows), at, [](const auto& last) {
    return store::template_position{last.score, last.featured, last.sort_order, last.title,
                                    last.slug};
  });
}

async<template_detail> service::get_template(std::string_view slug) {
  auto found = co_await store::find_template(db_, slug);
  if (!found) throw not_found("No template has this slug.", "template_not_found");
  co_return std::move(*found);
}

async<method_list> service::rank_methods(const method_query& query) {
  boost::json::value wanted = wanted_facets(query);
  std::string_view section = boost::describe::enum_to_string(query.section, "");
  method_list out{.section = query.section, .data = {}};
  out.data = co_await store::rank_methods(db_, section, wanted);
  co_return out;
}

}  // namespace keel::catalog
