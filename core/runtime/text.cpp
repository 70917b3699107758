// UTF-8 decoding by the table of RFC 3629 section 4, byte by byte, without allocation.
#include "core/runtime/text.hpp"

namespace keel::text {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

bool continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

}  // namespace

std::size_t char_length(std::string_view s) {
  if (s.empty()) return 0;
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = b(0);
  if (lead < 0x80) return 1;
  std::size_t n = lead >= 0xC2 && lead <= 0xDF   ? 2
                  : lead >= 0xE0 && lead <= 0xEF ? 3
                  : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                 : 0;
  if (n == 0 || s.size() < n) return 0;
  // The second byte's range is narrower after E0 (overlong), ED (surrogates), F0 (overlong)
  // and F4 (past U+10FFFF).
  unsigned char low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
  unsigned char high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
  if (b(1) < low || b(1) > high) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (!continuation(b(i))) return 0;
  }
  return n;
}

bool is_clean(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x01 && c < 0x80) {  // the common case, ASCII, without the general decoder
      ++i;
      continue;
    }
    std::size_t n = c == 0 ? 0 : char_length(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string cleaned(std::string_view s, std::size_t max_bytes) {
  std::string out;
  out.reserve(s.size() < max_bytes ? s.size() : max_bytes);
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = s[i] == '\0' ? 0 : char_length(s.substr(i));
    std::string_view piece = n == 0 ? replacement : s.substr(i, n);
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

}  // namespace keel::text
