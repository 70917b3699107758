// The hostile-sweep helpers: schema examples are valid, mutations repeat with their seed, and
// escaped requests can be read back.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <regex>

#include "../support/hostile.hpp"
#include "../support/raw_http.hpp"
#include "../support/schema_example.hpp"

using namespace keel::test;
namespace json = boost::json;

TEST_CASE("example_matching writes a string the pattern accepts") {
  for (std::string pattern : {"^[a-z_]+(\\.[a-z_]+)+$", "^[a-z_]+(\\.[a-z_0-9]+)+$", "^[0-9]{6}$",
                              "^(ab|cd)[^a-c]x?y*\\d{2,4}$", "^[A-Z][a-z-]{3}$"}) {
    INFO(pattern);
    std::string example = example_matching(pattern);
    CHECK(std::regex_match(example, std::regex(pattern)));
  }
}

TEST_CASE("schema examples follow types, refs, enums, formats and lengths") {
  json::value doc = json::parse(R"({"components": {"schemas": {
    "Item": {"type": "object", "properties": {
      "kind": {"type": "string", "enum": ["x", "y"]},
      "code": {"type": "string", "pattern": "^[0-9]{6}$"},
      "email": {"type": "string", "format": "email", "maxLength": 254},
      "name": {"type": ["string", "null"], "minLength": 20},
      "count": {"type": "integer", "minimum": 3, "maximum": 9},
      "tags": {"type": "array", "minItems": 2, "items": {"type": "string"}}
    }}}}})");
  schema_examples examples(doc);
  json::value item = examples.example(json::parse(R"({"$ref": "#/components/schemas/Item"})"));
  CHECK(item.at("kind") == "x");
  CHECK(item.at("code") == "000000");
  CHECK(std::string(item.at("email").as_string()).find('@') != std::string::npos);
  CHECK(item.at("name").as_string().size() >= 20);
  CHECK(item.at("count").as_int64() == 3);
  CHECK(item.at("tags").as_array().size() == 2);

  json::value overridden = examples.example(doc.at("components").at("schemas").at("Item"),
                                            [](std::string_view p) -> std::optional<json::value> {
                                              if (p == "email")
                                                return json::value("ada@example.com");
                                              return std::nullopt;
                                            });
  CHECK(overridden.at("email") == "ada@example.com");
}

TEST_CASE("a mutator's seed repeats its mutations exactly") {
  wire_request base;
  base.method = "POST";
  base.target = "/api/v1/things?limit=1";
  base.headers = {{"Host", "127.0.0.1"}, {"Content-Type", "application/json"}};
  base.body = R"({"name":"sample","items":[{"a":1}],"flag":true})";
  mutation_inputs inputs{.bearer_token = "a.b.c"};
  hostile_mutator first(42), second(42), other(43);
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    auto a = first.mutate(base, inputs);
    auto b = second.mutate(base, inputs);
    auto c = other.mutate(base, inputs);
    REQUIRE(a.bytes == b.bytes);
    REQUIRE(a.applied.size() == b.applied.size());
    differs = differs || a.bytes != c.bytes;
  }
  CHECK(differs);
}

TEST_CASE("escape_bytes writes any bytes as a C string literal body") {
  CHECK(escape_bytes(std::string("GET /\xff\0 \"x\"\r\n", 13)) ==
        "GET /\\xff\\x00 \\\"x\\\"\\r\\n");
  CHECK(escape_bytes("\x01"
                     "abc") == "\\x01\"\"abc");  // "\x01a" would read as one escape
  CHECK(escape_bytes("abcdef", 3) == "abc...(3 more bytes)");
}
