// Rule templates: what the API accepts and returns.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "core/dto/page.hpp"
#include "core/dto/rules.hpp"
#include "core/runtime/time.hpp"

namespace keel::templates {

// A curated, ready-made rule a user can start from.
struct rule_template {
  static constexpr std::string_view schema_name = "RuleTemplate";
  std::string slug;
  std::string title;
  std::string category;
  std::string description;
  boost::json::value document;  // the rule itself: trigger, conditions, actions
  int sort_order = 0;
  timestamp created_at;
  timestamp updated_at;
};
BOOST_DESCRIBE_STRUCT(rule_template, (),
                      (slug, title, category, description, document, sort_order, created_at,
                       updated_at))

constexpr auto keel_rules(const rule_template*) {
  using namespace keel::dto;
  return rules(field("slug").format(format::slug).description("Stable identifier, used in URLs"),
               field("document").description("The rule: trigger, conditions and actions"));
}

// GET /api/v1/templates?category=&limit=&cursor=
struct list_query {
  std::optional<std::string> category;
  std::optional<int> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(list_query, (), (category, limit, cursor))

constexpr auto keel_rules(const list_query*) {
  using namespace keel::dto;
  return rules(field("category").format(format::slug).max_length(64).description(
                   "Only templates of this category"),
               field("limit").range(1, 100).description("Page size, 20 when absent"),
               field("cursor").max_length(512).description(
                   "next_cursor of the previous page"));
}

using template_page = dto::page<rule_template>;

}  // namespace keel::templates
