// JSON Schemas written from DTO descriptions: types, required, constraints, $ref.
#include <catch2/catch.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/dto/page.hpp"
#include "core/dto/schema.hpp"

namespace dto_schema_test {

BOOST_DEFINE_ENUM_CLASS(visibility, private_, team, everyone)

struct author {
  static constexpr std::string_view schema_name = "Author";
  keel::uuid id;
  std::string display_name;
};
BOOST_DESCRIBE_STRUCT(author, (), (id, display_name))

struct tag {
  std::string label;
};
BOOST_DESCRIBE_STRUCT(tag, (), (label))

struct article {
  static constexpr std::string_view schema_name = "Article";
  std::string slug;
  std::string title;
  std::optional<std::string> summary;
  std::int32_t stars = 0;
  std::uint16_t views = 0;
  double score = 0;
  bool pinned = false;
  visibility shown_to = visibility::team;
  std::optional<visibility> was_shown_to;
  std::optional<std::string> layout;
  keel::timestamp published_at;
  author by;
  std::optional<author> editor;
  std::vector<tag> tags;
  boost::json::value meta;
};
BOOST_DESCRIBE_STRUCT(article, (),
                      (slug, title, summary, stars, views, score, pinned, shown_to, was_shown_to,
                       layout, published_at, by, editor, tags, meta))

constexpr auto keel_rules(const article*) {
  using namespace keel::dto;
  return rules(field("slug").format(format::slug).description("Used in URLs"),
               field("title").min_length(1).max_length(200).pattern("^\\S"),
               field("stars").range(0, 5), field("score").maximum(0.5),
               field("layout").one_of("wide", "narrow"), field("tags").max_items(10));
}

// A tree refers to itself; the named schema must stop the recursion.
struct node {
  static constexpr std::string_view schema_name = "Node";
  std::string name;
  std::vector<node> children;
};
BOOST_DESCRIBE_STRUCT(node, (), (name, children))

}  // namespace dto_schema_test

using namespace dto_schema_test;
using boost::json::parse;

TEST_CASE("a named struct becomes a component and is referred to by $ref") {
  keel::dto::schema_registry registry;
  auto ref = keel::dto::schema_of<article>(registry);
  CHECK(ref == parse(R"({"$ref":"#/components/schemas/Article"})"));
  CHECK(registry.schemas().contains("Article"));
  CHECK(registry.schemas().contains("Author"));
  CHECK_FALSE(registry.schemas().contains("tag"));
}

TEST_CASE("an object schema lists properties, required members and constraints") {
  keel::dto::schema_registry registry;
  keel::dto::schema_of<article>(registry);
  const auto& s = registry.schemas().at("Article");
  CHECK(s.at("type") == "object");
  CHECK(s.at("required") == parse(R"(["slug","title","stars","views","score","pinned",
      "shown_to","published_at","by","tags","meta"])"));
  const auto& p = s.at("properties");
  CHECK(p.at("slug") == parse(R"({"type":"string","format":"slug","description":"Used in URLs"})"));
  CHECK(p.at("title") ==
        parse(R"({"type":"string","minLength":1,"maxLength":200,"pattern":"^\\S"})"));
  CHECK(p.at("summary") == parse(R"({"type":["string","null"]})"));
  CHECK(p.at("stars") == parse(R"({"type":"integer","format":"int32","minimum":0,"maximum":5})"));
  CHECK(p.at("views") == parse(R"({"type":"integer","minimum":0})"));
  CHECK(p.at("score") == parse(R"({"type":"number","maximum":0.5})"));
  CHECK(p.at("pinned") == parse(R"({"type":"boolean"})"));
  CHECK(p.at("shown_to") == parse(R"({"type":"string","enum":["private_","team","everyone"]})"));
  CHECK(p.at("was_shown_to") ==
        parse(R"({"type":["string","null"],"enum":["private_","team","everyone",null]})"));
  CHECK(p.at("layout") == parse(R"({"type":["string","null"],"enum":["wide","narrow",null]})"));
  CHECK(p.at("published_at") == parse(R"({"type":"string","format":"date-time"})"));
  CHECK(p.at("by") == parse(R"({"$ref":"#/components/schemas/Author"})"));
  CHECK(p.at("editor") ==
        parse(R"({"anyOf":[{"$ref":"#/components/schemas/Author"},{"type":"null"}]})"));
  CHECK(p.at("tags") == parse(R"({"type":"array","maxItems":10,"items":{"type":"object",
      "properties":{"label":{"type":"string"}},"required":["label"]}})"));
  CHECK(p.at("meta") == parse("{}"));
  CHECK(registry.schemas().at("Author").at("properties").at("id") ==
        parse(R"({"type":"string","format":"uuid"})"));
}

TEST_CASE("a standalone schema carries its named schemas under $defs") {
  auto s = keel::dto::standalone_schema<keel::dto::page<article>>();
  CHECK(s.at("type") == "object");
  CHECK(s.at("required") == parse(R"(["data"])"));
  CHECK(s.at("properties").at("data") ==
        parse(R"({"type":"array","items":{"$ref":"#/$defs/Article"}})"));
  CHECK(s.at("properties").at("next_cursor") == parse(R"({"type":["string","null"]})"));
  CHECK(s.at("$defs").as_object().contains("Article"));
  CHECK(s.at("$defs").as_object().contains("Author"));
  CHECK(s.at("$defs").at("Article").at("properties").at("by") ==
        parse(R"({"$ref":"#/$defs/Author"})"));
}

TEST_CASE("a recursive named struct refers to itself instead of recursing") {
  auto s = keel::dto::standalone_schema<node>();
  CHECK(s.at("$ref") == "#/$defs/Node");
  CHECK(s.at("$defs").at("Node").at("properties").at("children") ==
        parse(R"({"type":"array","items":{"$ref":"#/$defs/Node"}})"));
}

TEST_CASE("an inline schema never turns the top-level struct into a $ref") {
  auto s = keel::dto::inline_schema<article>();
  CHECK(s.at("type") == "object");
  CHECK(s.at("properties").as_object().contains("slug"));
}

namespace dto_schema_test::other {
struct article {
  static constexpr std::string_view schema_name = "Article";
  int id = 0;
};
BOOST_DESCRIBE_STRUCT(article, (), (id))
}  // namespace dto_schema_test::other

TEST_CASE("two types claiming one schema name is a programming error") {
  keel::dto::schema_registry registry;
  keel::dto::schema_of<article>(registry);
  CHECK_THROWS_AS(keel::dto::schema_of<dto_schema_test::other::article>(registry),
                  std::logic_error);
}
