// DTO decoding, validation, encoding, query decoding and cursors.
#include <catch2/catch.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/dto/cursor.hpp"
#include "core/dto/json.hpp"
#include "core/dto/page.hpp"
#include "core/dto/query.hpp"

namespace dto_test {

struct register_request {
  std::string email;
  std::string password;
  std::optional<std::string> name;
};
BOOST_DESCRIBE_STRUCT(register_request, (), (email, password, name))

constexpr auto keel_rules(const register_request*) {
  using namespace keel::dto;
  return rules(field("email").format(format::email).max_length(254),
               field("password").min_length(8).max_length(128),
               field("name").min_length(1).max_length(100));
}

BOOST_DEFINE_ENUM_CLASS(status, draft, active, archived)

struct line_item {
  std::string name;
  std::int32_t quantity = 0;
};
BOOST_DESCRIBE_STRUCT(line_item, (), (name, quantity))

constexpr auto keel_rules(const line_item*) {
  using namespace keel::dto;
  return rules(field("name").min_length(1), field("quantity").range(1, 1000));
}

struct order {
  keel::uuid id;
  status state = status::draft;
  std::vector<line_item> items;
  std::optional<keel::timestamp> ship_at;
  std::uint8_t priority = 0;
  double discount = 0;
  bool gift = false;
  boost::json::value extra;
  std::optional<std::string> coupon;
  std::optional<std::string> channel;
};
BOOST_DESCRIBE_STRUCT(order, (),
                      (id, state, items, ship_at, priority, discount, gift, extra, coupon, channel))

constexpr auto keel_rules(const order*) {
  using namespace keel::dto;
  return rules(field("items").min_items(1).max_items(3), field("discount").range(0, 0.5),
               field("coupon").max_length(6).pattern("^[A-Z]{4}[0-9]{2}$"),
               field("channel").one_of("web", "mobile"));
}

struct date_range {
  std::string starts_on;
  std::string ends_on;
};
BOOST_DESCRIBE_STRUCT(date_range, (), (starts_on, ends_on))

constexpr auto keel_rules(const date_range*) {
  using namespace keel::dto;
  return rules(field("starts_on").format(format::date), field("ends_on").format(format::date));
}

void keel_validate(const date_range& r, keel::dto::problems& p) {
  if (r.ends_on < r.starts_on) p.add("ends_on", "must not be before starts_on");
}

struct list_query {
  std::optional<std::string> category;
  std::optional<int> limit;
  std::optional<bool> archived;
  std::optional<keel::uuid> owner;
  std::optional<status> state;
  std::string q;
};
BOOST_DESCRIBE_STRUCT(list_query, (), (category, limit, archived, owner, state, q))

constexpr auto keel_rules(const list_query*) {
  using namespace keel::dto;
  return rules(field("limit").range(1, 100), field("category").format(format::slug));
}

struct slug_position {
  int sort_order = 0;
  std::string slug;
};
BOOST_DESCRIBE_STRUCT(slug_position, (), (sort_order, slug))

struct cursor_keys {
  keel::timestamp created_at;
  keel::uuid id;
};
BOOST_DESCRIBE_STRUCT(cursor_keys, (), (created_at, id))

}  // namespace dto_test

using namespace dto_test;
using keel::dto::decode;
using keel::dto::encode;
using keel::dto::parse_body;

namespace {

// The field errors of a decode that must fail validation, as "field: message" lines.
template <class F>
std::vector<std::string> field_errors_of(F&& run) {
  try {
    run();
  } catch (const keel::validation_failed& e) {
    std::vector<std::string> lines;
    for (const auto& fe : e.field_errors()) lines.push_back(fe.field + ": " + fe.message);
    return lines;
  }
  FAIL("expected validation_failed");
  return {};
}

template <class T>
std::vector<std::string> errors_for(std::string_view body) {
  return field_errors_of([&] { parse_body<T>(body); });
}

const char* valid_order = R"({
  "id": "0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e", "state": "active",
  "items": [{"name": "tea", "quantity": 2}], "ship_at": "2026-11-21T15:04:05Z",
  "priority": 3, "discount": 0.25, "gift": true, "extra": {"note": [1, 2]},
  "coupon": "SAVE10", "channel": "web", "unknown": "ignored"})";

}  // namespace

TEST_CASE("a valid body decodes into every member type") {
  auto o = parse_body<order>(valid_order);
  CHECK(o.id.str() == "0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e");
  CHECK(o.state == status::active);
  REQUIRE(o.items.size() == 1);
  CHECK(o.items[0].name == "tea");
  CHECK(o.items[0].quantity == 2);
  REQUIRE(o.ship_at);
  CHECK(keel::format_timestamp(*o.ship_at) == "2026-11-21T15:04:05.000000Z");
  CHECK(o.priority == 3);
  CHECK(o.discount == 0.25);
  CHECK(o.gift);
  CHECK(o.extra.at("note").as_array().size() == 2);
  CHECK(o.coupon == "SAVE10");
  CHECK(o.channel == "web");
}

TEST_CASE("a register request with rules satisfied decodes; absent optional is nullopt") {
  auto r =
      parse_body<register_request>(R"({"email":"ada@example.com","password":"correct horse"})");
  CHECK(r.email == "ada@example.com");
  CHECK_FALSE(r.name);
  auto named = parse_body<register_request>(
      R"({"email":"ada@example.com","password":"correct horse","name":null})");
  CHECK_FALSE(named.name);
}

TEST_CASE("missing required fields are each reported, optional ones are not") {
  CHECK(errors_for<register_request>("{}") ==
        std::vector<std::string>{"email: is required", "password: is required"});
}

TEST_CASE("each string rule fails with the field and a readable message") {
  CHECK(errors_for<register_request>(R"({"email":"not-an-email","password":"short","name":""})") ==
        std::vector<std::string>{"email: must be a valid email address",
                                 "password: must be at least 8 characters",
                                 "name: must not be empty"});
  std::string long_password(129, 'x');
  CHECK(
      errors_for<register_request>(R"({"email":"a@b.co","password":")" + long_password + R"("})") ==
      std::vector<std::string>{"password: must be at most 128 characters"});
}

TEST_CASE("lengths count code points, not bytes") {
  // Eight two-byte characters: 16 bytes, 8 code points, exactly the minimum.
  auto r = parse_body<register_request>(
      R"({"email":"a@b.co","password":"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"})");
  CHECK(r.password.size() == 16);
}

TEST_CASE("pattern, one_of, ranges and item counts are enforced") {
  auto body = boost::json::parse(valid_order).as_object();
  body["coupon"] = "save10";
  body["channel"] = "fax";
  body["discount"] = 0.75;
  body["items"] = boost::json::array{};
  CHECK(field_errors_of([&] { decode<order>(body); }) ==
        std::vector<std::string>{"items: must not be empty", "discount: must be at most 0.5",
                                 "coupon: must match ^[A-Z]{4}[0-9]{2}$",
                                 "channel: must be one of: web, mobile"});
}

TEST_CASE("an oversized value reports its length and is not matched against the pattern") {
  auto body = boost::json::parse(valid_order).as_object();
  body["coupon"] = std::string(100000, 'A');
  CHECK(field_errors_of([&] { decode<order>(body); }) ==
        std::vector<std::string>{"coupon: must be at most 6 characters"});
}

TEST_CASE("wrong types are reported per field") {
  auto body = boost::json::parse(valid_order).as_object();
  body["id"] = "not-a-uuid";
  body["state"] = "deleted";
  body["items"] = "tea";
  body["ship_at"] = "yesterday";
  body["priority"] = "high";
  body["discount"] = "none";
  body["gift"] = 1;
  body["coupon"] = 5;
  CHECK(field_errors_of([&] { decode<order>(body); }) ==
        std::vector<std::string>{
            "id: must be a UUID", "state: must be one of: draft, active, archived",
            "items: must be an array", "ship_at: must be an RFC 3339 date-time",
            "priority: must be an integer", "discount: must be a number",
            "gift: must be true or false", "coupon: must be a string"});
}

TEST_CASE("nested problems carry their path, all reported together") {
  auto body = boost::json::parse(valid_order).as_object();
  body["items"] = boost::json::parse(
      R"([{"name":"tea","quantity":1},{"name":"","quantity":0},{"quantity":2000}])");
  CHECK(field_errors_of([&] { decode<order>(body); }) ==
        std::vector<std::string>{
            "items[1].name: must not be empty", "items[1].quantity: must be at least 1",
            "items[2].name: is required", "items[2].quantity: must be at most 1000"});
}

TEST_CASE("integers out of the member type's range are rejected, whole doubles accepted") {
  auto body = boost::json::parse(valid_order).as_object();
  body["priority"] = 256;
  CHECK(field_errors_of([&] { decode<order>(body); }) ==
        std::vector<std::string>{"priority: must be an integer from 0 to 255"});
  body["priority"] = -1;
  CHECK(field_errors_of([&] { decode<order>(body); }).size() == 1);
  body["priority"] = 2.5;
  CHECK(field_errors_of([&] { decode<order>(body); }).size() == 1);
  body["priority"] = 1e30;
  CHECK(field_errors_of([&] { decode<order>(body); }).size() == 1);
  body["priority"] = 7.0;
  CHECK(decode<order>(body).priority == 7);
  CHECK(errors_for<line_item>(R"({"name":"x","quantity":99999999999999999999})") ==
        std::vector<std::string>{"quantity: must be an integer from -2147483648 to 2147483647"});
}

TEST_CASE("null is nullopt for optionals and an error for required fields") {
  CHECK(errors_for<register_request>(R"({"email":null,"password":"12345678"})") ==
        std::vector<std::string>{"email: must not be null"});
  auto body = boost::json::parse(valid_order).as_object();
  body["ship_at"] = nullptr;
  body["extra"] = nullptr;  // free-form: null is a value
  auto o = decode<order>(body);
  CHECK_FALSE(o.ship_at);
  CHECK(o.extra.is_null());
}

TEST_CASE("a cross-field check runs once the fields are valid") {
  CHECK(errors_for<date_range>(R"({"starts_on":"2026-05-02","ends_on":"2026-05-01"})") ==
        std::vector<std::string>{"ends_on: must not be before starts_on"});
  CHECK(errors_for<date_range>(R"({"starts_on":"2026-02-30","ends_on":"2026-05-01"})") ==
        std::vector<std::string>{"starts_on: must be a date (YYYY-MM-DD)"});
  CHECK_NOTHROW(parse_body<date_range>(R"({"starts_on":"2026-05-01","ends_on":"2026-05-01"})"));
}

TEST_CASE("malformed JSON and non-object bodies are bad requests") {
  auto code_of = [](std::string_view body) {
    try {
      parse_body<register_request>(body);
    } catch (const keel::bad_request& e) {
      return e.code();
    }
    return std::string("no error");
  };
  CHECK(code_of(R"({"email": )") == "malformed_json");
  CHECK(code_of("") == "malformed_json");
  CHECK(code_of(R"({"a":1} trailing)") == "malformed_json");
  CHECK(code_of("[1,2]") == "body_not_object");
  CHECK(code_of("\"text\"") == "body_not_object");
}

TEST_CASE("encode writes every member and round-trips through decode") {
  auto o = parse_body<order>(valid_order);
  o.coupon.reset();
  boost::json::value v = encode(o);
  CHECK(v.at("id") == "0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e");
  CHECK(v.at("state") == "active");
  CHECK(v.at("ship_at") == "2026-11-21T15:04:05.000000Z");
  CHECK(v.at("coupon").is_null());
  CHECK(v.at("items").at(0).at("quantity") == 2);
  CHECK_FALSE(v.as_object().contains("unknown"));
  auto back = decode<order>(v);
  CHECK(encode(back) == v);
}

TEST_CASE("a page encodes as data plus next_cursor, null on the last page") {
  keel::dto::page<line_item> p{{{"tea", 1}, {"cake", 2}}, std::nullopt};
  CHECK(
      boost::json::serialize(encode(p)) ==
      R"({"data":[{"name":"tea","quantity":1},{"name":"cake","quantity":2}],"next_cursor":null})");
  p.next_cursor = "abc";
  CHECK(encode(p).at("next_cursor") == "abc");
}

TEST_CASE("query parameters convert to member types with the same rules") {
  std::map<std::string, std::string> params{
      {"category", "billing"}, {"limit", "25"},
      {"archived", "true"},    {"owner", "0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e"},
      {"state", "archived"},   {"q", "tea"}};
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto found = params.find(std::string(name));
    if (found == params.end()) return std::nullopt;
    return found->second;
  };
  auto q = keel::dto::decode_query<list_query>(lookup);
  CHECK(q.category == "billing");
  CHECK(q.limit == 25);
  CHECK(q.archived == true);
  CHECK(q.owner->str() == "0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e");
  CHECK(q.state == status::archived);
  CHECK(q.q == "tea");

  params = {{"limit", "0"},
            {"archived", "maybe"},
            {"owner", "x"},
            {"category", "Not A Slug"},
            {"state", "gone"}};
  CHECK(field_errors_of([&] { keel::dto::decode_query<list_query>(lookup); }) ==
        std::vector<std::string>{
            "category: must be lower-case letters, digits and single dashes",
            "limit: must be at least 1", "archived: must be true or false", "owner: must be a UUID",
            "state: must be one of: draft, active, archived", "q: is required"});

  params = {{"limit", "12abc"}, {"q", "x"}, {"category", ""}};
  CHECK(field_errors_of([&] { keel::dto::decode_query<list_query>(lookup); }) ==
        std::vector<std::string>{"limit: must be an integer"});
  params = {{"limit", "99999999999"}, {"q", "x"}};
  CHECK(field_errors_of([&] { keel::dto::decode_query<list_query>(lookup); }) ==
        std::vector<std::string>{"limit: must be an integer from -2147483648 to 2147483647"});
}

TEST_CASE("a path parameter converts alone and names itself when bad") {
  CHECK(keel::dto::decode_param<keel::uuid>("id", "0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e").str() ==
        "0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e");
  CHECK(field_errors_of([] { keel::dto::decode_param<keel::uuid>("id", "nope"); }) ==
        std::vector<std::string>{"id: must be a UUID"});
}

TEST_CASE("a cursor round-trips its keys and is opaque base64url") {
  cursor_keys keys{*keel::parse_timestamp("2026-01-02T03:04:05.123456Z"),
                   *keel::uuid::parse("0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e")};
  std::string cursor = keel::dto::make_cursor(keys);
  CHECK(cursor.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
  auto back = keel::dto::read_cursor<cursor_keys>(cursor);
  CHECK(back.created_at == keys.created_at);
  CHECK(back.id == keys.id);
}

TEST_CASE("a tampered or foreign cursor is a validation error on the cursor field") {
  std::vector<std::string> expected{"cursor: is not a valid cursor"};
  CHECK(field_errors_of([] { keel::dto::read_cursor<cursor_keys>("!!!"); }) == expected);
  CHECK(field_errors_of([] { keel::dto::read_cursor<cursor_keys>("abcde"); }) == expected);
  // Valid base64url of valid JSON, but not our keys.
  std::string foreign = keel::dto::encode_cursor(boost::json::object{{"id", 5}});
  CHECK(field_errors_of([&] { keel::dto::read_cursor<cursor_keys>(foreign); }) == expected);
  CHECK(field_errors_of([] { keel::dto::decode_cursor("W10", "after"); }) ==
        std::vector<std::string>{"after: is not a valid cursor"});
}

TEST_CASE("past 50 field problems decoding stops and the list ends with a note saying so") {
  // 10,000 elements each missing both members: 20,000 problems if nothing stopped.
  std::string body = R"({"items": [)";
  for (int i = 0; i < 10000; ++i) body += i == 0 ? "{}" : ",{}";
  body += "]}";
  keel::dto::problems p;
  auto v = boost::json::parse(body);
  std::vector<line_item> items;
  keel::dto::detail::read_json(v.at("items"), items, p);
  // Reading stopped soon after the cap instead of decoding all 10,000 elements.
  CHECK(items.size() <= 26);
  CHECK(p.size() == 51);
  try {
    p.throw_if_any();
    FAIL("expected validation_failed");
  } catch (const keel::validation_failed& e) {
    const auto& errors = e.field_errors();
    REQUIRE(errors.size() == keel::dto::problems::max_listed + 1);
    CHECK(errors.front().field == "[0].name");
    CHECK(errors[49].field == "[24].quantity");
    CHECK(errors.back().field.empty());
    CHECK(errors.back().message == keel::dto::problems::more_message);
  }
  // Exactly 50 problems are all listed, with no note.
  keel::dto::problems fifty;
  for (int i = 0; i < 50; ++i) fifty.add("x" + std::to_string(i), "is wrong");
  CHECK_FALSE(fifty.full());
  auto listed = field_errors_of([&] { fifty.throw_if_any(); });
  CHECK(listed.size() == 50);
  CHECK(listed.back() == "x49: is wrong");
}

TEST_CASE("an array over max_items is refused before its elements are decoded") {
  auto body = boost::json::parse(valid_order).as_object();
  boost::json::array items;
  for (int i = 0; i < 100000; ++i) items.push_back(boost::json::object{});
  body["items"] = std::move(items);
  // One problem for the count, none for the 100,000 empty elements.
  CHECK(field_errors_of([&] { decode<order>(body); }) ==
        std::vector<std::string>{"items: must have at most 3 items"});
}

TEST_CASE("a NUL in a string, a free-form value or a key is a field problem") {
  auto body = boost::json::parse(valid_order).as_object();
  body["coupon"] = std::string(
      "SAVE\0"
      "1",
      6);
  body["extra"] = boost::json::parse(R"({"note": ["ok", "a\u0000b"]})");
  CHECK(field_errors_of([&] { decode<order>(body); }) ==
        std::vector<std::string>{"extra: must be UTF-8 text without NUL characters",
                                 "coupon: must be UTF-8 text without NUL characters"});
  body = boost::json::parse(valid_order).as_object();
  body["extra"] = boost::json::parse(R"({"a\u0000": 1})");
  CHECK(field_errors_of([&] { decode<order>(body); }) ==
        std::vector<std::string>{"extra: must be UTF-8 text without NUL characters"});
  CHECK(errors_for<register_request>(R"({"email":"a\u0000b@x.io","password":"correct horse"})") ==
        std::vector<std::string>{"email: must be UTF-8 text without NUL characters"});
}

TEST_CASE("a query value that decodes to a NUL or to bytes that are not UTF-8 is a field problem") {
  std::map<std::string, std::string> params{{"q", std::string("a\0b", 3)}, {"category", "\xff"}};
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto found = params.find(std::string(name));
    if (found == params.end()) return std::nullopt;
    return found->second;
  };
  CHECK(field_errors_of([&] { keel::dto::decode_query<list_query>(lookup); }) ==
        std::vector<std::string>{"category: must be UTF-8 text without NUL characters",
                                 "q: must be UTF-8 text without NUL characters"});
}

TEST_CASE("a cursor whose keys hold a NUL is not a valid cursor") {
  std::string cursor = keel::dto::encode_cursor(
      boost::json::parse(R"({"sort_order":10,"slug":"\u0000"})").as_object());
  CHECK(field_errors_of([&] { keel::dto::read_cursor<slug_position>(cursor); }) ==
        std::vector<std::string>{"cursor: is not a valid cursor"});
}
