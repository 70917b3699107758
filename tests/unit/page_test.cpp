// The keyset page helper every list uses, and the hex codec.
#include <catch2/catch.hpp>

#include <boost/describe/class.hpp>
#include <string>
#include <vector>

#include "core/dto/cursor.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/hex.hpp"
#include "core/runtime/uuid.hpp"

namespace page_test {

struct position {
  keel::uuid id;
};
BOOST_DESCRIBE_STRUCT(position, (), (id))

struct item {
  keel::uuid id;
  int n = 0;
};

}  // namespace page_test

using namespace page_test;
namespace dto = keel::dto;

namespace {

keel::uuid id_of(int n) {
  keel::uuid u;
  u.bytes[15] = static_cast<unsigned char>(n);
  return u;
}

// What a store would answer for `at`: items after at.after (by id), at most at.fetch().
std::vector<item> fetch(int total, const dto::page_at<position>& at) {
  std::vector<item> rows;
  for (int n = 0; n < total && static_cast<int>(rows.size()) < at.fetch(); ++n) {
    if (at.after && !(at.after->id < id_of(n))) continue;
    rows.push_back({id_of(n), n});
  }
  return rows;
}

position key_of(const item& i) {
  return {i.id};
}

}  // namespace

TEST_CASE("a page is 20 rows unless asked, at most 100, and at least 1") {
  CHECK(dto::read_page<position>(std::nullopt, std::nullopt).limit == 20);
  CHECK(dto::read_page<position>(5, std::nullopt).limit == 5);
  CHECK(dto::read_page<position>(1000, std::nullopt).limit == 100);
  CHECK(dto::read_page<position>(0, std::nullopt).limit == 1);
  CHECK(dto::read_page<position>(std::nullopt, std::nullopt).fetch() == 21);
  // A route may say otherwise.
  dto::page_size small{.fallback = 3, .max = 10};
  CHECK(dto::read_page<position>(std::nullopt, std::nullopt, small).limit == 3);
  CHECK(dto::read_page<position>(50, std::nullopt, small).limit == 10);
  CHECK_FALSE(dto::read_page<position>(std::nullopt, std::nullopt).after);
}

TEST_CASE("pages follow each other through their cursors, the last one without") {
  std::vector<int> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto at = dto::read_page<position>(2, cursor);
    auto page = dto::make_page(fetch(5, at), at, key_of);
    CHECK(page.data.size() <= 2);
    for (const auto& i : page.data) seen.push_back(i.n);
    cursor = page.next_cursor;
    ++pages;
  } while (cursor && pages < 10);
  CHECK(seen == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(pages == 3);
}

TEST_CASE("a full last page has no next cursor") {
  auto at = dto::read_page<position>(5, std::nullopt);
  auto page = dto::make_page(fetch(5, at), at, key_of);
  CHECK(page.data.size() == 5);
  CHECK_FALSE(page.next_cursor);
  auto more = dto::make_page(fetch(6, at), at, key_of);
  CHECK(more.data.size() == 5);
  REQUIRE(more.next_cursor);
  CHECK(dto::read_cursor<position>(*more.next_cursor).id == id_of(4));
}

TEST_CASE("a cursor that is not one of ours, or holds no id, is a 422 on cursor") {
  auto field_of = [](const std::string& text) -> std::string {
    try {
      dto::read_page<position>(std::nullopt, text);
    } catch (const keel::validation_failed& e) {
      return e.field_errors().at(0).field + " " + e.field_errors().at(0).message;
    }
    return "accepted";
  };
  CHECK(field_of("not a cursor!") == "cursor is not a valid cursor");
  CHECK(field_of(dto::encode_cursor({{"id", "not-a-uuid"}})) == "cursor is not a valid cursor");
  CHECK(field_of(dto::encode_cursor({{"other", 1}})) == "cursor is not a valid cursor");
}

TEST_CASE("hex encodes lower-case and decodes either case, refusing anything else") {
  CHECK(keel::hex::encode(std::string("\x00\x9f\xff", 3)) == "009fff");
  CHECK(keel::hex::decode("009FfF") == std::string("\x00\x9f\xff", 3));
  CHECK(keel::hex::decode("") == std::string());
  CHECK_FALSE(keel::hex::decode("abc"));
  CHECK_FALSE(keel::hex::decode("zz"));
  CHECK(keel::hex::digit_value('a') == 10);
  CHECK(keel::hex::digit_value('G') == -1);
}
