// Parsing and printing the canonical 8-4-4-4-12 UUID text form.
#include "core/runtime/uuid.hpp"

#include "core/runtime/hex.hpp"

namespace keel {
namespace {

bool is_dash_position(std::size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

}  // namespace

std::optional<uuid> uuid::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  uuid u;
  std::size_t byte = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (is_dash_position(i)) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int high = hex::digit_value(text[i]);
    int low = hex::digit_value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    u.bytes[byte++] = static_cast<unsigned char>(high << 4 | low);
    i += 2;
  }
  return u;
}

std::string uuid::str() const {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0x0f]);
  }
  return out;
}

}  // namespace keel
