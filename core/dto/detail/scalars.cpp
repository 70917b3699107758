// Scalar conversions with the messages a client reads when a value has the wrong type or range.
#include "core/dto/detail/scalars.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <utility>

#include "core/runtime/text.hpp"

namespace keel::dto::detail {
namespace {

std::string range_message(integer_range r) {
  return fmt::format("must be an integer from {} to {}", r.min, r.max);
}

// Boost.JSON reads 1e3 or 3.0 as a double; a whole number is still accepted as an integer,
// and an integer too large for 64 bits arrives as a double as well.
std::optional<double> whole_number(const boost::json::value& v, integer_range r, problems& p) {
  double d = v.get_double();
  if (!std::isfinite(d) || std::trunc(d) != d) {
    p.add(range_message(r));
    return std::nullopt;
  }
  return d;
}

// Every string and key, depth first; the parser has already bounded the depth.
bool clean_value(const boost::json::value& v) {
  if (const auto* s = v.if_string()) return text::is_clean(std::string_view(s->data(), s->size()));
  if (const auto* a = v.if_array()) {
    for (const auto& item : *a) {
      if (!clean_value(item)) return false;
    }
  } else if (const auto* o = v.if_object()) {
    for (const auto& member : *o) {
      if (!text::is_clean(member.key()) || !clean_value(member.value())) return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::intmax_t> json_signed(const boost::json::value& v, integer_range r,
                                         problems& p) {
  if (auto* i = v.if_int64()) {
    if (*i >= r.min && (*i < 0 || static_cast<std::uintmax_t>(*i) <= r.max)) return *i;
  } else if (auto* u = v.if_uint64()) {
    if (*u <= r.max) return static_cast<std::intmax_t>(*u);
  } else if (v.is_double()) {
    auto d = whole_number(v, r, p);
    if (!d) return std::nullopt;
    // max() may round up to the next power of two as a double, hence the strict test.
    if (*d >= static_cast<double>(r.min) && *d < static_cast<double>(r.max) + 1.0) {
      return static_cast<std::intmax_t>(*d);
    }
  } else {
    p.add("must be an integer");
    return std::nullopt;
  }
  p.add(range_message(r));
  return std::nullopt;
}

std::optional<std::uintmax_t> json_unsigned(const boost::json::value& v, integer_range r,
                                            problems& p) {
  if (auto* i = v.if_int64()) {
    if (*i >= 0 && static_cast<std::uintmax_t>(*i) <= r.max) return *i;
  } else if (auto* u = v.if_uint64()) {
    if (*u <= r.max) return *u;
  } else if (v.is_double()) {
    auto d = whole_number(v, r, p);
    if (!d) return std::nullopt;
    if (*d >= 0 && *d < static_cast<double>(r.max) + 1.0) return static_cast<std::uintmax_t>(*d);
  } else {
    p.add("must be an integer");
    return std::nullopt;
  }
  p.add(range_message(r));
  return std::nullopt;
}

std::optional<double> json_number(const boost::json::value& v, problems& p) {
  if (v.is_number()) return v.to_number<double>();
  p.add("must be a number");
  return std::nullopt;
}

std::optional<bool> json_bool(const boost::json::value& v, problems& p) {
  if (auto* b = v.if_bool()) return *b;
  p.add("must be true or false");
  return std::nullopt;
}

std::optional<std::string> json_string(const boost::json::value& v, problems& p) {
  if (auto* s = v.if_string()) return text_string(std::string_view(s->data(), s->size()), p);
  p.add("must be a string");
  return std::nullopt;
}

bool json_clean(const boost::json::value& v, problems& p) {
  if (clean_value(v)) return true;
  p.add(std::string(text::unclean_message));
  return false;
}

std::optional<uuid> json_uuid(const boost::json::value& v, problems& p) {
  if (auto* s = v.if_string()) return text_uuid(std::string_view(s->data(), s->size()), p);
  p.add("must be a UUID string");
  return std::nullopt;
}

std::optional<timestamp> json_timestamp(const boost::json::value& v, problems& p) {
  if (auto* s = v.if_string()) return text_timestamp(std::string_view(s->data(), s->size()), p);
  p.add("must be an RFC 3339 date-time string");
  return std::nullopt;
}

std::optional<std::intmax_t> text_signed(std::string_view s, integer_range r, problems& p) {
  std::intmax_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc() && end == s.data() + s.size() && value >= r.min &&
      (value < 0 || static_cast<std::uintmax_t>(value) <= r.max)) {
    return value;
  }
  p.add(ec == std::errc::invalid_argument || end != s.data() + s.size()
            ? std::string("must be an integer")
            : range_message(r));
  return std::nullopt;
}

std::optional<std::uintmax_t> text_unsigned(std::string_view s, integer_range r, problems& p) {
  std::uintmax_t value = 0;
  bool negative = !s.empty() && s.front() == '-';
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (!negative && ec == std::errc() && end == s.data() + s.size() && value <= r.max) return value;
  p.add(!negative && (ec == std::errc::invalid_argument || end != s.data() + s.size())
            ? std::string("must be an integer")
            : range_message(r));
  return std::nullopt;
}

std::optional<double> text_number(std::string_view s, problems& p) {
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(value)) return value;
  p.add("must be a number");
  return std::nullopt;
}

std::optional<bool> text_bool(std::string_view s, problems& p) {
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  p.add("must be true or false");
  return std::nullopt;
}

// Boost.JSON has already refused bad UTF-8 in a body, but "\u0000" decodes to a NUL, and
// query text is whatever the percent-escapes said: either would reach PostgreSQL, which
// refuses both.
std::optional<std::string> text_string(std::string_view s, problems& p) {
  if (text::is_clean(s)) return std::string(s);
  p.add(std::string(text::unclean_message));
  return std::nullopt;
}

std::optional<uuid> text_uuid(std::string_view s, problems& p) {
  if (auto id = uuid::parse(s)) return id;
  p.add("must be a UUID");
  return std::nullopt;
}

std::optional<timestamp> text_timestamp(std::string_view s, problems& p) {
  if (auto t = parse_timestamp(s)) return t;
  p.add("must be an RFC 3339 date-time");
  return std::nullopt;
}

std::string choices_message(const std::string_view* names, std::size_t count) {
  std::string text = "must be one of: ";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) text += ", ";
    text += names[i];
  }
  return text;
}

}  // namespace keel::dto::detail
