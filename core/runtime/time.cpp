// RFC 3339 / PostgreSQL ISO timestamp formatting and parsing, always normalised to UTC.
#include "core/runtime/time.hpp"

#include <fmt/format.h>

namespace keel {
namespace {

using namespace std::chrono;

// A cursor over the text; every reader fails (returns false) rather than throwing, so
// that parse_timestamp can answer nullopt for anything malformed.
struct reader {
  std::string_view text;
  std::size_t pos = 0;

  bool done() const { return pos == text.size(); }
  char peek() const { return done() ? '\0' : text[pos]; }
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
  // Exactly `count` decimal digits.
  bool digits(int count, int& out) {
    out = 0;
    for (int i = 0; i < count; ++i) {
      char c = peek();
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
      ++pos;
    }
    return true;
  }
};

}  // namespace

std::string format_timestamp(timestamp t) {
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

std::optional<timestamp> parse_timestamp(std::string_view text) {
  reader r{text};
  int y, mo, d, h, mi, s;
  if (!r.digits(4, y) || !r.accept('-') || !r.digits(2, mo) || !r.accept('-') || !r.digits(2, d))
    return std::nullopt;
  if (!r.accept('T') && !r.accept('t') && !r.accept(' ')) return std::nullopt;
  if (!r.digits(2, h) || !r.accept(':') || !r.digits(2, mi) || !r.accept(':') || !r.digits(2, s))
    return std::nullopt;

  // Fractions beyond microseconds (RFC 3339 allows any length) are truncated.
  std::int64_t micros = 0;
  if (r.accept('.')) {
    int count = 0;
    while (r.peek() >= '0' && r.peek() <= '9') {
      if (count < 6) micros = micros * 10 + (r.peek() - '0');
      ++count;
      ++r.pos;
    }
    if (count == 0) return std::nullopt;
    for (int i = count; i < 6; ++i) micros *= 10;
  }

  // The offset is mandatory: a timestamp without one names no instant.
  seconds offset{0};
  if (!r.accept('Z') && !r.accept('z')) {
    int sign = r.accept('+') ? 1 : (r.accept('-') ? -1 : 0);
    int oh, om = 0, os = 0;
    if (sign == 0 || !r.digits(2, oh)) return std::nullopt;
    // PostgreSQL writes "+00", "+05:30" and, for historical zones, "+00:53:28".
    if (r.accept(':')) {
      if (!r.digits(2, om)) return std::nullopt;
      if (r.accept(':') && !r.digits(2, os)) return std::nullopt;
    } else if (!r.done()) {
      if (!r.digits(2, om)) return std::nullopt;  // "+0530" (ISO 8601 basic offset)
    }
    if (oh > 23 || om > 59 || os > 59) return std::nullopt;
    offset = sign * (hours(oh) + minutes(om) + seconds(os));
  }
  if (!r.done()) return std::nullopt;

  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) + microseconds(micros) - offset;
}

}  // namespace keel
