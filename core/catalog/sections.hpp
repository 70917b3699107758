// The Sections document: what a template body, a published rule and a draft's rule hold, and
// the limits every such document is held to.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dto/problems.hpp"
#include "core/dto/rules.hpp"

namespace keel::catalog {

// Limits on any document a client stores (a rule's document, a draft's payload). The body size
// is the transport's to enforce (413); the others are 422s naming the field path. Note that
// dto::parse_json keeps Boost.JSON's default nesting limit (32), below max_depth: a route that
// must answer a too-deep document with this 422 rather than a 400 parses with a deeper limit.
struct document_limits {
  static constexpr std::size_t max_bytes = 512 * 1024;
  static constexpr std::size_t max_depth = 40;       // nested arrays and objects, the document is 1
  static constexpr std::size_t max_string = 50'000;  // characters, keys included
  static constexpr std::size_t max_items = 5'000;    // per array
  static constexpr std::size_t max_keys = 500;       // per object
};

// Keys a JavaScript client could trip over when it merges the document into an object.
bool is_reserved_key(std::string_view key);

// Walks a free-form JSON value and records every limit it breaks at its path below the
// problems' current one. `depth` is the nesting level of `value` itself (1 for a document).
// Stops recording after a few dozen problems: a client hears enough to fix its input.
void check_json_limits(const boost::json::value& value, dto::problems& found,
                       std::size_t depth = 1);

// The category names a document's sections may have, in the order they must come in.
inline constexpr std::string_view category_names[] = {"Values", "Communication", "Membership",
                                                      "Decision-making", "Conflict management"};

struct section_entry {
  static constexpr std::string_view schema_name = "SectionEntry";
  std::string title;
  std::string body;
};
BOOST_DESCRIBE_STRUCT(section_entry, (), (title, body))

constexpr auto keel_rules(const section_entry*) {
  using namespace keel::dto;
  return rules(field("title").length(1, document_limits::max_string),
               field("body").max_length(document_limits::max_string));
}

struct rule_section {
  static constexpr std::string_view schema_name = "Section";
  std::string category_name;
  std::vector<section_entry> entries;
};
BOOST_DESCRIBE_STRUCT(rule_section, (), (category_name, entries))

constexpr auto keel_rules(const rule_section*) {
  using namespace keel::dto;
  return rules(
      field("category_name")
          .one_of("Values", "Communication", "Membership", "Decision-making", "Conflict management")
          .description("Sections come in this order, each at most once"),
      field("entries").max_items(document_limits::max_items));
}

struct core_value {
  static constexpr std::string_view schema_name = "CoreValue";
  std::string label;
  std::string meaning;
};
BOOST_DESCRIBE_STRUCT(core_value, (), (label, meaning))

constexpr auto keel_rules(const core_value*) {
  using namespace keel::dto;
  return rules(field("label").length(1, document_limits::max_string),
               field("meaning").max_length(document_limits::max_string));
}

// Who the rule is for, as the create flow asked it.
struct community_profile {
  static constexpr std::string_view schema_name = "CommunityProfile";
  std::optional<std::string> name;
  std::optional<std::string> size;
  std::optional<std::string> org_type;
  std::optional<std::string> scale;
  std::optional<std::string> maturity;
  std::optional<std::string> context;
};
BOOST_DESCRIBE_STRUCT(community_profile, (), (name, size, org_type, scale, maturity, context))

constexpr auto keel_rules(const community_profile*) {
  using namespace keel::dto;
  constexpr auto n = document_limits::max_string;
  return rules(field("name").max_length(n), field("size").max_length(n),
               field("org_type").max_length(n), field("scale").max_length(n),
               field("maturity").max_length(n), field("context").max_length(n));
}

struct sections_document {
  static constexpr std::string_view schema_name = "SectionsDocument";
  std::vector<rule_section> sections;
  std::optional<std::vector<core_value>> core_values;
  // Which catalog method the flow picked per section: free-form, held to document_limits.
  std::optional<boost::json::object> method_selections;
  std::optional<community_profile> community;
};
BOOST_DESCRIBE_STRUCT(sections_document, (), (sections, core_values, method_selections, community))

constexpr auto keel_rules(const sections_document*) {
  using namespace keel::dto;
  return rules(field("sections").max_items(std::size(category_names)),
               field("core_values").max_items(document_limits::max_items),
               field("method_selections")
                   .description("The method picked per section; free-form, within the limits"));
}

// Sections in category order, each at most once; method_selections within document_limits.
void keel_validate(const sections_document& document, dto::problems& found);

// A document as a client sent it: every limit checked on the raw JSON (reserved keys anywhere,
// not only in the free-form parts), then decoded. Throws keel::validation_failed with paths
// under `field` ("document.sections[0].entries[2].title").
sections_document read_document(const boost::json::value& value, std::string_view field);

}  // namespace keel::catalog
