// The constraint checks and the messages a client reads when one fails.
#include "core/dto/detail/check.hpp"

#include <fmt/format.h>

#include "core/dto/formats.hpp"

namespace keel::dto::detail {
namespace {

std::string format_message(format f) {
  switch (f) {
    case format::email:
      return "must be a valid email address";
    case format::uuid:
      return "must be a UUID";
    case format::date_time:
      return "must be an RFC 3339 date-time";
    case format::date:
      return "must be a date (YYYY-MM-DD)";
    case format::slug:
      return "must be lower-case letters, digits and single dashes";
    case format::uri:
      return "must be an absolute URI";
    case format::none:
      break;
  }
  return "has the wrong format";
}

std::string choices_text(const constraints& c) {
  std::string text;
  for (std::size_t i = 0; i < c.choice_count; ++i) {
    if (i > 0) text += ", ";
    text += c.choices[i];
  }
  return text;
}

}  // namespace

void check_string(std::string_view value, const constraints& c, const std::regex* pattern,
                  problems& out) {
  if (c.min_length || c.max_length) {
    std::size_t n = code_points(value);
    if (c.min_length && n < *c.min_length) {
      out.add(*c.min_length == 1 ? std::string("must not be empty")
                                 : fmt::format("must be at least {} characters", *c.min_length));
    } else if (c.max_length && n > *c.max_length) {
      out.add(fmt::format("must be at most {} characters", *c.max_length));
      return;  // nothing else is checked on an oversized value, least of all a regex
    }
  }
  if (c.string_format != format::none && !matches_format(value, c.string_format)) {
    out.add(format_message(c.string_format));
  }
  if (pattern && !std::regex_search(value.begin(), value.end(), *pattern)) {
    out.add(fmt::format("must match {}", c.pattern));
  }
  if (c.choice_count > 0) {
    bool found = false;
    for (std::size_t i = 0; i < c.choice_count; ++i) found = found || c.choices[i] == value;
    if (!found) out.add(fmt::format("must be one of: {}", choices_text(c)));
  }
}

void check_number(double value, const constraints& c, problems& out) {
  if (c.minimum && value < *c.minimum) {
    out.add(fmt::format("must be at least {}", *c.minimum));
  } else if (c.maximum && value > *c.maximum) {
    out.add(fmt::format("must be at most {}", *c.maximum));
  }
}

void check_items(std::size_t count, const constraints& c, problems& out) {
  if (c.min_items && count < *c.min_items) {
    out.add(*c.min_items == 1 ? std::string("must not be empty")
                              : fmt::format("must have at least {} items", *c.min_items));
  } else if (c.max_items && count > *c.max_items) {
    out.add(fmt::format("must have at most {} items", *c.max_items));
  }
}

}  // namespace keel::dto::detail
