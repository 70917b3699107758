// Rule templates: what the API accepts and returns.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

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
  return rules(field("category")
                   .format(format::slug)
                   .max_length(64)
                   .description("Only templates of this category"),
               field("limit").range(1, 100).description("Page size, 20 when absent"),
               field("cursor").max_length(512).description("next_cursor of the previous page"));
}

using template_page = dto::page<rule_template>;

// The shape of a rule document, checked by POST /api/v1/rules/validate so that an editor
// can tell a user what is wrong before the rule is saved. Extra keys (action parameters
// such as "template" or "delay") are allowed and left to the action that reads them.
struct rule_trigger {
  std::optional<std::string> event;     // "user.registered"
  std::optional<std::string> schedule;  // "daily", "weekly"
};
BOOST_DESCRIBE_STRUCT(rule_trigger, (), (event, schedule))

constexpr auto keel_rules(const rule_trigger*) {
  using namespace keel::dto;
  return rules(field("event").pattern("^[a-z_]+(\\.[a-z_]+)+$").max_length(100),
               field("schedule").one_of("hourly", "daily", "weekly", "monthly"));
}

struct rule_condition {
  std::string field;
  std::string op;
  boost::json::value value;
};
BOOST_DESCRIBE_STRUCT(rule_condition, (), (field, op, value))

constexpr auto keel_rules(const rule_condition*) {
  using namespace keel::dto;
  return rules(field("field").pattern("^[a-z_]+(\\.[a-z_0-9]+)+$").max_length(100),
               field("op").one_of("eq", "ne", "lt", "lte", "gt", "gte", "in"));
}

struct rule_action {
  std::string type;  // "email.send"
};
BOOST_DESCRIBE_STRUCT(rule_action, (), (type))

constexpr auto keel_rules(const rule_action*) {
  using namespace keel::dto;
  return rules(field("type").pattern("^[a-z_]+(\\.[a-z_]+)+$").max_length(100));
}

struct rule_document {
  static constexpr std::string_view schema_name = "RuleDocument";
  rule_trigger trigger;
  std::vector<rule_condition> conditions;
  std::vector<rule_action> actions;
};
BOOST_DESCRIBE_STRUCT(rule_document, (), (trigger, conditions, actions))

constexpr auto keel_rules(const rule_document*) {
  using namespace keel::dto;
  return rules(field("conditions").max_items(20), field("actions").min_items(1).max_items(10));
}

struct validation_report {
  bool valid = true;
};
BOOST_DESCRIBE_STRUCT(validation_report, (), (valid))

}  // namespace keel::templates
