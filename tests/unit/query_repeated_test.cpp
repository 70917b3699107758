// Repeatable query parameters (?size=a&size=b): the request's view of them and DTO decoding.
#include <boost/describe.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/dto/query.hpp"
#include "core/http/request.hpp"

namespace {

enum class colour { red, green, blue };
BOOST_DESCRIBE_ENUM(colour, red, green, blue)

struct filter_query {
  std::optional<std::vector<colour>> colour;
  std::vector<int> id;
  std::optional<std::string> q;
};
BOOST_DESCRIBE_STRUCT(filter_query, (), (colour, id, q))

constexpr auto keel_rules(const filter_query*) {
  using namespace keel::dto;
  return rules(field("id").max_items(3));
}

std::optional<std::string_view> no_header(const void*, std::string_view) {
  return std::nullopt;
}

keel::http::request get(std::string_view target) {
  return keel::http::request(keel::http::method::get, target, {}, nullptr, no_header);
}

filter_query decode(const keel::http::request& r) {
  return keel::dto::decode_query<filter_query>(
      [&](std::string_view n) { return r.query_param(n); },
      [&](std::string_view n) { return r.query_params(n); });
}

std::vector<std::string> errors_of(const keel::http::request& r) {
  try {
    decode(r);
  } catch (const keel::validation_failed& e) {
    std::vector<std::string> lines;
    for (const auto& fe : e.field_errors()) lines.push_back(fe.field + ": " + fe.message);
    return lines;
  }
  FAIL("expected validation_failed");
  return {};
}

}  // namespace

TEST_CASE("a request lists every value of a repeated parameter and every name sent") {
  auto r = get("/x?size=a&q=1&size=b%20c&size=&si%7Ae=d");
  CHECK(r.query_params("size") == std::vector<std::string>{"a", "b c", "", "d"});
  CHECK(r.query_param("size") == std::optional<std::string>("a"));  // the first, as before
  CHECK(r.query_params("none").empty());
  CHECK(r.query_names() == std::vector<std::string>{"size", "q", "size", "size", "size"});
  CHECK(get("/x").query_names().empty());
}

TEST_CASE("repeated parameters decode into vectors in the order sent, absent is empty") {
  auto q = decode(get("/x?colour=blue&id=7&colour=red&id=8&q=tea"));
  CHECK(q.colour == std::vector<colour>{colour::blue, colour::red});
  CHECK(q.id == std::vector<int>{7, 8});
  CHECK(q.q == "tea");
  auto none = decode(get("/x?colour=&q="));
  CHECK_FALSE(none.colour.has_value());  // an empty value counts as absent, as for scalars
  CHECK(none.id.empty());
  CHECK_FALSE(none.q.has_value());
}

TEST_CASE("a bad item is a 422 naming its index, and the item count is checked") {
  CHECK(errors_of(get("/x?colour=red&colour=pink&id=x")) ==
        std::vector<std::string>{"colour[1]: must be one of: red, green, blue",
                                 "id[0]: must be an integer"});
  CHECK(errors_of(get("/x?id=1&id=2&id=3&id=4")) ==
        std::vector<std::string>{"id: must have at most 3 items"});
}

TEST_CASE("a single-value lookup still decodes a repeatable parameter as one item") {
  std::map<std::string, std::string> params{{"colour", "green"}};
  auto q =
      keel::dto::decode_query<filter_query>([&](std::string_view n) -> std::optional<std::string> {
        auto found = params.find(std::string(n));
        if (found == params.end()) return std::nullopt;
        return found->second;
      });
  CHECK(q.colour == std::vector<colour>{colour::green});
}

TEST_CASE("unknown parameters are named, each once") {
  try {
    keel::dto::reject_unknown_params<filter_query>({"colour", "size", "q", "size", "page"},
                                                   "is not a parameter");
    FAIL("expected validation_failed");
  } catch (const keel::validation_failed& e) {
    REQUIRE(e.field_errors().size() == 2);
    CHECK(e.field_errors()[0].field == "size");
    CHECK(e.field_errors()[1].field == "page");
    CHECK(e.field_errors()[1].message == "is not a parameter");
  }
  CHECK_NOTHROW(keel::dto::reject_unknown_params<filter_query>({"id", "id"}, "x"));
}

TEST_CASE("a thousand unknown parameters get the capped list, and bad bytes are echoed cleaned") {
  std::vector<std::string> names;
  for (int i = 0; i < 1000; ++i) names.push_back("p" + std::to_string(i));
  try {
    keel::dto::reject_unknown_params<filter_query>(names, "is not a parameter");
    FAIL("expected validation_failed");
  } catch (const keel::validation_failed& e) {
    REQUIRE(e.field_errors().size() == keel::dto::problems::max_listed + 1);
    CHECK(e.field_errors().back().field.empty());
  }
  try {
    keel::dto::reject_unknown_params<filter_query>({"li\xEDit"}, "is not a parameter");
    FAIL("expected validation_failed");
  } catch (const keel::validation_failed& e) {
    REQUIRE(e.field_errors().size() == 1);
    CHECK(e.field_errors()[0].field == "li\xEF\xBF\xBDit");
  }
}
