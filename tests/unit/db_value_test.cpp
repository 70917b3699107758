// Parameter encoding and field decoding of the database layer, without a server.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "core/db/error.hpp"
#include "core/db/value.hpp"

using keel::db::field_decoder;
using keel::db::to_param;

TEST_CASE("parameters encode in PostgreSQL's text format", "[db]") {
  CHECK(to_param(true) == "t");
  CHECK(to_param(false) == "f");
  CHECK(to_param(std::int64_t{-9223372036854775807 - 1}) == "-9223372036854775808");
  CHECK(to_param(std::int32_t{42}) == "42");
  CHECK(to_param(0.1) == "0.1");
  CHECK(to_param(std::numeric_limits<double>::infinity()) == "Infinity");
  CHECK(to_param(std::nan("")) == "NaN");
  CHECK(to_param(std::string_view("héllo")) == "héllo");
  CHECK(to_param(boost::json::value{{"a", 1}}) == R"({"a":1})");
  auto t = keel::parse_timestamp("2026-11-21T15:04:05.5Z").value();
  CHECK(to_param(t) == "2026-11-21T15:04:05.500000Z");
  auto u = keel::uuid::parse("0190f3a8-7b2c-7def-8123-456789abcdef").value();
  CHECK(to_param(u) == "0190f3a8-7b2c-7def-8123-456789abcdef");
}

TEST_CASE("nullopt, empty optionals and null C strings encode as SQL NULL", "[db]") {
  CHECK_FALSE(to_param(std::nullopt));
  CHECK_FALSE(to_param(std::optional<std::int64_t>{}));
  CHECK(to_param(std::optional<std::int64_t>{7}) == "7");
  CHECK_FALSE(to_param(static_cast<const char*>(nullptr)));
}

TEST_CASE("a text parameter with a NUL byte is refused instead of silently truncated", "[db]") {
  using namespace std::string_literals;
  CHECK_THROWS_AS(to_param("a\0b"s), keel::db::error);
}

TEST_CASE("params keep their order and count", "[db]") {
  auto p = keel::db::params::of(std::string("x"), std::int64_t{1}, std::nullopt, true);
  REQUIRE(p.values().size() == 4);
  CHECK(p.values()[0] == "x");
  CHECK(p.values()[1] == "1");
  CHECK_FALSE(p.values()[2]);
  CHECK(p.values()[3] == "t");
}

TEST_CASE("fields decode from PostgreSQL's text output", "[db]") {
  CHECK(field_decoder<bool>::decode("t"));
  CHECK_FALSE(field_decoder<bool>::decode("f"));
  CHECK(field_decoder<std::int64_t>::decode("-9223372036854775808") ==
        std::numeric_limits<std::int64_t>::min());
  CHECK(field_decoder<std::int32_t>::decode("2147483647") == 2147483647);
  CHECK(field_decoder<double>::decode("1.5e3") == 1500.0);
  CHECK(std::isinf(field_decoder<double>::decode("-Infinity")));
  CHECK(std::isnan(field_decoder<double>::decode("NaN")));
  CHECK(field_decoder<keel::uuid>::decode("0190f3a8-7b2c-7def-8123-456789abcdef").str() ==
        "0190f3a8-7b2c-7def-8123-456789abcdef");
  CHECK(keel::format_timestamp(field_decoder<keel::timestamp>::decode(
            "2026-11-21 16:04:05.25+01")) == "2026-11-21T15:04:05.250000Z");
  CHECK(field_decoder<boost::json::value>::decode(R"({"a": [1, 2]})").at("a").as_array().size() ==
        2);
}

TEST_CASE("malformed fields throw db::error instead of decoding to garbage", "[db]") {
  CHECK_THROWS_AS(field_decoder<bool>::decode("yes"), keel::db::error);
  CHECK_THROWS_AS(field_decoder<std::int64_t>::decode("12x"), keel::db::error);
  CHECK_THROWS_AS(field_decoder<std::int64_t>::decode(""), keel::db::error);
  CHECK_THROWS_AS(field_decoder<std::int32_t>::decode("2147483648"), keel::db::error);
  CHECK_THROWS_AS(field_decoder<double>::decode("1.5.1"), keel::db::error);
  CHECK_THROWS_AS(field_decoder<keel::uuid>::decode("not-a-uuid"), keel::db::error);
  CHECK_THROWS_AS(field_decoder<keel::timestamp>::decode("infinity"), keel::db::error);
  CHECK_THROWS_AS(field_decoder<boost::json::value>::decode("{"), keel::db::error);
}
