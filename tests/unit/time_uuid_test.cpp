// Timestamp and UUID text forms: round trips and what is rejected.
#include <catch2/catch.hpp>

#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

using namespace std::chrono;

namespace {

keel::timestamp utc(int y, unsigned mo, unsigned d, int h, int mi, int s, int us = 0) {
  return sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) + seconds(s) +
         microseconds(us);
}

}  // namespace

TEST_CASE("timestamps format as RFC 3339 UTC with six fraction digits", "[time]") {
  CHECK(keel::format_timestamp(utc(2026, 11, 21, 15, 4, 5, 123456)) ==
        "2026-11-21T15:04:05.123456Z");
  CHECK(keel::format_timestamp(utc(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000000Z");
  CHECK(keel::format_timestamp(utc(1969, 12, 31, 23, 59, 59, 999999)) ==
        "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("formatted timestamps parse back to the same instant", "[time]") {
  for (auto t : {utc(2026, 11, 21, 15, 4, 5, 123456), utc(2000, 2, 29, 0, 0, 0), keel::now(),
                 utc(1969, 12, 31, 23, 59, 59, 1)}) {
    auto parsed = keel::parse_timestamp(keel::format_timestamp(t));
    REQUIRE(parsed);
    CHECK(*parsed == t);
  }
}

TEST_CASE("PostgreSQL ISO output and RFC 3339 offsets are normalised to UTC", "[time]") {
  CHECK(keel::parse_timestamp("2026-11-21 15:04:05.123+00") == utc(2026, 11, 21, 15, 4, 5, 123000));
  CHECK(keel::parse_timestamp("2026-11-21 15:04:05+00") == utc(2026, 11, 21, 15, 4, 5));
  CHECK(keel::parse_timestamp("2026-11-21T17:34:05+02:30") == utc(2026, 11, 21, 15, 4, 5));
  CHECK(keel::parse_timestamp("2026-11-21T10:04:05-05") == utc(2026, 11, 21, 15, 4, 5));
  CHECK(keel::parse_timestamp("2026-11-21t15:04:05z") == utc(2026, 11, 21, 15, 4, 5));
  CHECK(keel::parse_timestamp("1900-01-01 00:00:00+00:53:28") == utc(1899, 12, 31, 23, 6, 32));
  // Digits past microseconds are truncated, not rounded.
  CHECK(keel::parse_timestamp("2026-11-21T15:04:05.1234569Z") ==
        utc(2026, 11, 21, 15, 4, 5, 123456));
}

TEST_CASE("malformed or offset-less timestamps are rejected", "[time]") {
  for (const char* bad :
       {"", "2026-11-21", "2026-11-21T15:04:05", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-21T24:00:00Z", "2026-11-21T15:60:00Z", "2026-11-21T15:04:05.Z",
        "2026-11-21T15:04:05Zjunk", "2026-11-21X15:04:05Z", "26-11-21T15:04:05Z",
        "2026-11-21T15:04:05+2", "infinity", "2026-11-21T15:04:05+25:00"}) {
    INFO(bad);
    CHECK_FALSE(keel::parse_timestamp(bad));
  }
}

TEST_CASE("uuids parse in either case and print in lower case", "[uuid]") {
  auto u = keel::uuid::parse("0190F3A8-7B2C-7DEF-8123-456789ABCDEF");
  REQUIRE(u);
  CHECK(u->bytes[0] == 0x01);
  CHECK(u->bytes[15] == 0xef);
  CHECK(u->str() == "0190f3a8-7b2c-7def-8123-456789abcdef");
  CHECK(keel::uuid::parse(u->str()) == u);
}

TEST_CASE("uuids that are not the canonical 8-4-4-4-12 form are rejected", "[uuid]") {
  for (const char* bad :
       {"", "0190f3a87b2c7def8123456789abcdef", "{0190f3a8-7b2c-7def-8123-456789abcdef}",
        "0190f3a8-7b2c-7def-8123-456789abcde", "0190f3a8-7b2c-7def-8123-456789abcdeg",
        "0190f3a8_7b2c-7def-8123-456789abcdef"}) {
    INFO(bad);
    CHECK_FALSE(keel::uuid::parse(bad));
  }
}
