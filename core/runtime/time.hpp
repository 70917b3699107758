// The timestamp type keel stores (timestamptz) and shows (RFC 3339, UTC).
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace keel {

using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// "2026-11-21T15:04:05.123456Z"; trailing zero fractions are kept fixed at 6 digits.
std::string format_timestamp(timestamp t);

// Accepts RFC 3339 ("T" or " " separator, optional fraction, "Z" or +hh[:mm] offset) and
// PostgreSQL's ISO output ("2026-11-21 15:04:05.123+00"); nullopt when it is neither.
std::optional<timestamp> parse_timestamp(std::string_view text);

inline timestamp now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

}  // namespace keel
