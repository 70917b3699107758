// Hand-written format checks: cheaper than regexes and with no catastrophic backtracking.
#include "core/dto/formats.hpp"

#include <chrono>
#include <cstddef>

#include "core/runtime/time.hpp"

namespace keel::dto {
namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_space_or_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

// A DNS name with at least two labels; bytes >= 0x80 are let through for internationalised names.
bool is_domain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t labels = 0;
  while (true) {
    std::size_t dot = s.find('.');
    std::string_view label = s.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!is_alpha(c) && !is_digit(c) && c != '-' && static_cast<unsigned char>(c) < 0x80) {
        return false;
      }
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return labels >= 2;
}

bool is_email(std::string_view s) {
  std::size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  std::string_view local = s.substr(0, at);
  for (char c : local) {
    if (is_space_or_control(c) || c == '@' || c == '"' || c == '(' || c == ')' || c == ',' ||
        c == ':' || c == ';' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\') {
      return false;
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  return is_domain(s.substr(at + 1));
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!is_digit(s[i])) return false;
  }
  auto number = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  std::chrono::year_month_day day{std::chrono::year(number(0, 4)),
                                  std::chrono::month(static_cast<unsigned>(number(5, 2))),
                                  std::chrono::day(static_cast<unsigned>(number(8, 2)))};
  return day.ok();
}

// Lower-case words joined by single dashes: "weekly-report-2".
bool is_slug(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  char previous = 0;
  for (char c : s) {
    if (!(c >= 'a' && c <= 'z') && !is_digit(c) && c != '-') return false;
    if (c == '-' && previous == '-') return false;
    previous = c;
  }
  return true;
}

// An absolute URI: scheme ":" then something, with no spaces (RFC 3986 section 3).
bool is_uri(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  if (!is_alpha(s[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : s) {
    if (is_space_or_control(c)) return false;
  }
  return true;
}

}  // namespace

bool matches_format(std::string_view text, format f) {
  switch (f) {
    case format::none:
      return true;
    case format::email:
      return is_email(text);
    case format::uuid:
      return is_uuid(text);
    case format::date_time:
      return parse_timestamp(text).has_value();
    case format::date:
      return is_date(text);
    case format::slug:
      return is_slug(text);
    case format::uri:
      return is_uri(text);
  }
  return false;
}

std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace keel::dto
