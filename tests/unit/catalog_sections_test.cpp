// The Sections document: its shape, the order of its sections and the limits on any document.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/catalog/sections.hpp"
#include "core/dto/json.hpp"

using keel::catalog::document_limits;
using keel::catalog::read_document;
using keel::catalog::sections_document;

namespace {

std::vector<std::string> errors_of_document(const boost::json::value& v) {
  try {
    read_document(v, "document");
  } catch (const keel::validation_failed& e) {
    std::vector<std::string> lines;
    for (const auto& fe : e.field_errors()) lines.push_back(fe.field + ": " + fe.message);
    return lines;
  }
  FAIL("expected validation_failed");
  return {};
}

boost::json::value parse(std::string_view text) {
  boost::json::parse_options deep;
  deep.max_depth = 200;  // these documents go past the default on purpose
  return boost::json::parse(text, {}, deep);
}

// {"sections": [], "method_selections": {"a": {"a": ... {} }}}: method_selections is level 2.
boost::json::value nested_selections(std::size_t levels) {
  boost::json::value inner = boost::json::object{};
  for (std::size_t i = 1; i < levels; ++i) inner = boost::json::object{{"a", std::move(inner)}};
  return boost::json::object{{"sections", boost::json::array{}},
                             {"method_selections", std::move(inner)}};
}

}  // namespace

TEST_CASE("a full sections document reads back with every part") {
  auto doc = read_document(parse(R"({
      "sections": [
        {"category_name": "Values", "entries": [{"title": "Care", "body": "We look after each other."}]},
        {"category_name": "Decision-making", "entries": [{"title": "Lazy consensus", "body": ""}]}],
      "core_values": [{"label": "Care", "meaning": "people first"}],
      "method_selections": {"decision_making": ["lazy-consensus"]},
      "community": {"name": "Garden club", "size": "six_to_twelve"}})"),
                           "document");
  REQUIRE(doc.sections.size() == 2);
  CHECK(doc.sections[1].entries[0].title == "Lazy consensus");
  CHECK(doc.core_values->at(0).meaning == "people first");
  CHECK(doc.method_selections->at("decision_making").as_array().size() == 1);
  CHECK(doc.community->name == "Garden club");
  CHECK_FALSE(doc.community->context.has_value());
  // And the same document encodes to what it was.
  auto again = keel::dto::decode<sections_document>(keel::dto::encode(doc));
  CHECK(again.sections[0].category_name == "Values");
}

TEST_CASE("sections must use the five category names, in order, each once") {
  CHECK(
      errors_of_document(parse(R"({"sections": [{"category_name": "Money", "entries": []}]})")) ==
      std::vector<std::string>{"document.sections[0].category_name: must be one of: Values, "
                               "Communication, Membership, Decision-making, Conflict management"});
  auto out_of_order = errors_of_document(parse(R"({"sections": [
      {"category_name": "Membership", "entries": []},
      {"category_name": "Communication", "entries": []}]})"));
  REQUIRE(out_of_order.size() == 1);
  CHECK(out_of_order[0].starts_with(
      "document.sections[1].category_name: must come before Membership"));
  CHECK(errors_of_document(parse(R"({"sections": [
      {"category_name": "Values", "entries": []},
      {"category_name": "Values", "entries": []}]})")) ==
        std::vector<std::string>{"document.sections[1].category_name: appears twice"});
  // The entries' own rules report under the document's path (messages are the DTO layer's).
  auto entries = errors_of_document(parse(R"({"sections": [{"category_name": "Values",
      "entries": [{"title": "", "body": "x"}, {"body": "y"}]}]})"));
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].starts_with("document.sections[0].entries[0].title: "));
  CHECK(entries[1] == "document.sections[0].entries[1].title: is required");
  CHECK(errors_of_document(parse(R"({"core_values": []})")) ==
        std::vector<std::string>{"document.sections: is required"});
  CHECK(errors_of_document(parse("[]")) == std::vector<std::string>{"document: must be an object"});
}

TEST_CASE("nesting deeper than 40 levels is a 422 at the level that is too deep") {
  CHECK_NOTHROW(read_document(nested_selections(document_limits::max_depth - 1), "document"));
  std::string path = "document.method_selections";
  for (std::size_t level = 3; level <= document_limits::max_depth + 1; ++level) path += ".a";
  CHECK(errors_of_document(nested_selections(document_limits::max_depth)) ==
        std::vector<std::string>{path + ": nests deeper than 40 levels"});

  // The typed decode alone (a body DTO holding a sections_document) applies the same limit.
  keel::dto::problems found;
  sections_document typed;
  typed.method_selections =
      nested_selections(document_limits::max_depth).at("method_selections").as_object();
  keel::catalog::keel_validate(typed, found);
  CHECK(found.size() == 1);
}

TEST_CASE("a string over 50,000 characters is a 422 naming it, counted in characters") {
  std::string at_limit;
  for (std::size_t i = 0; i < document_limits::max_string; ++i) at_limit += "\xC3\xA9";  // é
  boost::json::value ok = boost::json::object{
      {"sections", boost::json::array{boost::json::object{
                       {"category_name", "Values"},
                       {"entries", boost::json::array{boost::json::object{{"title", "t"},
                                                                          {"body", at_limit}}}}}}}};
  CHECK_NOTHROW(read_document(ok, "document"));
  ok.at("sections").at(0).at("entries").at(0).as_object()["body"] = at_limit + "x";
  CHECK(errors_of_document(ok) ==
        std::vector<std::string>{
            "document.sections[0].entries[0].body: must be at most 50000 characters"});
  boost::json::value selections =
      boost::json::object{{"sections", boost::json::array{}},
                          {"method_selections", boost::json::object{{"note", at_limit + "x"}}}};
  CHECK(errors_of_document(selections) ==
        std::vector<std::string>{
            "document.method_selections.note: must be at most 50000 characters"});
}

TEST_CASE("an array over 5,000 items or an object over 500 keys is a 422 naming it") {
  boost::json::array items(document_limits::max_items, boost::json::value(1));
  boost::json::value doc =
      boost::json::object{{"sections", boost::json::array{}},
                          {"method_selections", boost::json::object{{"picked", items}}}};
  CHECK_NOTHROW(read_document(doc, "document"));
  items.push_back(1);
  doc.at("method_selections").as_object()["picked"] = items;
  CHECK(
      errors_of_document(doc) ==
      std::vector<std::string>{"document.method_selections.picked: must have at most 5000 items"});

  boost::json::object keys;
  for (std::size_t i = 0; i < document_limits::max_keys; ++i) keys["k" + std::to_string(i)] = i;
  doc.at("method_selections") = keys;
  CHECK_NOTHROW(read_document(doc, "document"));
  keys["one-more"] = 1;
  doc.at("method_selections") = keys;
  CHECK(errors_of_document(doc) ==
        std::vector<std::string>{"document.method_selections: must have at most 500 keys"});
}

TEST_CASE("the keys __proto__, constructor and prototype are refused anywhere") {
  CHECK(errors_of_document(parse(R"({"sections": [], "__proto__": {"admin": true}})")) ==
        std::vector<std::string>{"document.__proto__: is a reserved key"});
  CHECK(errors_of_document(parse(R"({"sections": [{"category_name": "Values", "entries": [],
                                     "constructor": 1}]})")) ==
        std::vector<std::string>{"document.sections[0].constructor: is a reserved key"});
  CHECK(errors_of_document(parse(R"({"sections": [],
                                     "method_selections": {"x": [{"prototype": null}]}})")) ==
        std::vector<std::string>{"document.method_selections.x[0].prototype: is a reserved key"});
  CHECK(keel::catalog::is_reserved_key("__proto__"));
  CHECK_FALSE(keel::catalog::is_reserved_key("proto"));
}

TEST_CASE("a free-form payload is held to the same limits and reports a bounded list") {
  // What a draft's payload goes through: no shape, only limits.
  boost::json::array many;
  std::string long_text(document_limits::max_string + 1, 'x');
  for (int i = 0; i < 200; ++i) many.push_back(boost::json::value(long_text));
  keel::dto::problems found;
  {
    auto at = found.enter_field("payload");
    keel::catalog::check_json_limits(boost::json::value(many), found);
  }
  CHECK(found.size() == 50);  // enough to fix the input, not 200 copies of one message
  keel::dto::problems fine;
  keel::catalog::check_json_limits(parse(R"({"step": 3, "community": {"name": "x"}})"), fine);
  CHECK(fine.empty());
}
