// Hexadecimal text: the one codec keel uses for hashes, keys, UUIDs and percent-escapes.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace keel::hex {

// The value of one hex digit, either case; -1 for anything else.
constexpr int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Lower-case hex, two digits per byte.
std::string encode(std::string_view bytes);

// The bytes of an even-length hex text, either case; nullopt for anything else.
std::optional<std::string> decode(std::string_view text);

}  // namespace keel::hex
