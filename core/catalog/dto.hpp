// The governance catalog: what the template and method routes accept and return.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog/sections.hpp"
#include "core/dto/page.hpp"
#include "core/dto/rules.hpp"
#include "core/runtime/time.hpp"

namespace keel::catalog {

// The parts of a rule the catalog has methods for (core values count as one).
enum class catalog_section {
  communication,
  membership,
  decision_making,
  conflict_management,
  core_values
};
BOOST_DESCRIBE_ENUM(catalog_section, communication, membership, decision_making,
                    conflict_management, core_values)

// The four facet groups a community describes itself with. Their values are the contract:
// anything else a client sends is a 422, never silently ignored.
enum class size_facet {
  one_member,
  two_to_five,
  six_to_twelve,
  thirteen_to_one_hundred,
  over_one_hundred
};
BOOST_DESCRIBE_ENUM(size_facet, one_member, two_to_five, six_to_twelve, thirteen_to_one_hundred,
                    over_one_hundred)

enum class org_type_facet { dao, for_profit, nonprofit, open_source, mutual_aid, workers_coop };
BOOST_DESCRIBE_ENUM(org_type_facet, dao, for_profit, nonprofit, open_source, mutual_aid,
                    workers_coop)

enum class scale_facet { global, national, regional, local };
BOOST_DESCRIBE_ENUM(scale_facet, global, national, regional, local)

enum class maturity_facet { early_stage, growth_stage, established, enterprise };
BOOST_DESCRIBE_ENUM(maturity_facet, early_stage, growth_stage, established, enterprise)

// The facet query parameters, each repeatable (?size=two_to_five&size=six_to_twelve).
struct facet_filter {
  std::optional<std::vector<size_facet>> size;
  std::optional<std::vector<org_type_facet>> org_type;
  std::optional<std::vector<scale_facet>> scale;
  std::optional<std::vector<maturity_facet>> maturity;
};
BOOST_DESCRIBE_STRUCT(facet_filter, (), (size, org_type, scale, maturity))

// One requested facet value that a template's or a method's facets include.
struct facet_match {
  static constexpr std::string_view schema_name = "FacetMatch";
  std::string group;  // size, org_type, scale or maturity
  std::string value;
};
BOOST_DESCRIBE_STRUCT(facet_match, (), (group, value))

// A curated governance pattern. score and matched_facets answer the facets asked for
// (0 and [] when none were).
struct governance_template {
  static constexpr std::string_view schema_name = "Template";
  std::string slug;
  std::string title;
  std::string category;
  std::string description;
  bool featured = false;
  int sort_order = 0;
  sections_document body;
  int score = 0;
  std::vector<facet_match> matched_facets;
  timestamp created_at;
  timestamp updated_at;
};
BOOST_DESCRIBE_STRUCT(governance_template, (),
                      (slug, title, category, description, featured, sort_order, body, score,
                       matched_facets, created_at, updated_at))

constexpr auto keel_rules(const governance_template*) {
  using namespace keel::dto;
  return rules(
      field("slug").format(format::slug).description("Stable identifier, used in URLs"),
      field("score").description("How many of its methods match each facet asked for, summed"),
      field("matched_facets").description("The facets asked for that its methods match"));
}

// A catalog method a template is made of.
struct method_ref {
  static constexpr std::string_view schema_name = "MethodRef";
  catalog_section section = catalog_section::communication;
  std::string slug;
};
BOOST_DESCRIBE_STRUCT(method_ref, (), (section, slug))

struct template_detail : governance_template {
  static constexpr std::string_view schema_name = "TemplateDetail";
  std::vector<method_ref> methods;
};
BOOST_DESCRIBE_STRUCT(template_detail, (governance_template), (methods))

// One practice of the catalog, with how well it suits the facets asked for.
struct catalog_method {
  static constexpr std::string_view schema_name = "Method";
  std::string slug;
  std::string label;
  std::string description;
  int score = 0;  // how many of the facets asked for it matches
  std::vector<facet_match> matched_facets;
};
BOOST_DESCRIBE_STRUCT(catalog_method, (), (slug, label, description, score, matched_facets))

struct method_list {
  static constexpr std::string_view schema_name = "MethodList";
  catalog_section section = catalog_section::communication;
  std::vector<catalog_method> data;
};
BOOST_DESCRIBE_STRUCT(method_list, (), (section, data))

// GET /api/v1/templates?category=&size=&org_type=&scale=&maturity=&limit=&cursor=
struct template_query : facet_filter {
  std::optional<std::string> category;
  std::optional<int> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(template_query, (facet_filter), (category, limit, cursor))

// Each facet value at most once per group is all a client can mean; the bound keeps a
// pathological query string from turning into a long SQL parameter.
inline constexpr std::size_t max_facet_values = 10;

constexpr auto keel_rules(const template_query*) {
  using namespace keel::dto;
  return rules(
      field("category")
          .format(format::slug)
          .max_length(64)
          .description("Only templates of this category"),
      field("size").max_items(max_facet_values).description("Community size; repeatable"),
      field("org_type").max_items(max_facet_values).description("Organisation type; repeatable"),
      field("scale").max_items(max_facet_values).description("Geographic scale; repeatable"),
      field("maturity").max_items(max_facet_values).description("Maturity; repeatable"),
      field("limit").range(1, 100).description("Page size, 20 when absent"),
      field("cursor").max_length(512).description("next_cursor of the previous page"));
}

// GET /api/v1/methods?section=&size=&org_type=&scale=&maturity=
struct method_query : facet_filter {
  catalog_section section = catalog_section::communication;
};
BOOST_DESCRIBE_STRUCT(method_query, (facet_filter), (section))

constexpr auto keel_rules(const method_query*) {
  using namespace keel::dto;
  return rules(
      field("section").description("The section whose methods to rank"),
      field("size").max_items(max_facet_values).description("Community size; repeatable"),
      field("org_type").max_items(max_facet_values).description("Organisation type; repeatable"),
      field("scale").max_items(max_facet_values).description("Geographic scale; repeatable"),
      field("maturity").max_items(max_facet_values).description("Maturity; repeatable"));
}

using template_page = dto::page<governance_template>;

}  // namespace keel::catalog
