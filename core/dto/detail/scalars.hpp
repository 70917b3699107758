// Non-template readers for the scalar member types, from JSON values and from query text.
#pragma once
#include <boost/json/value.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "core/dto/problems.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::dto::detail {

// Integers are read as the widest type and then range-checked against the member's type.
struct integer_range {
  std::intmax_t min;
  std::uintmax_t max;
};
template <class I>
constexpr integer_range range_of() {
  return {static_cast<std::intmax_t>(std::numeric_limits<I>::min()),
          static_cast<std::uintmax_t>(std::numeric_limits<I>::max())};
}

// Each returns nullopt after recording why the value does not fit.
std::optional<std::intmax_t> json_signed(const boost::json::value& v, integer_range r, problems& p);
std::optional<std::uintmax_t> json_unsigned(const boost::json::value& v, integer_range r,
                                            problems& p);
std::optional<double> json_number(const boost::json::value& v, problems& p);
std::optional<bool> json_bool(const boost::json::value& v, problems& p);
std::optional<std::string> json_string(const boost::json::value& v, problems& p);
std::optional<uuid> json_uuid(const boost::json::value& v, problems& p);
std::optional<timestamp> json_timestamp(const boost::json::value& v, problems& p);
// Free-form JSON (a boost::json::value or object member): false, after recording why, when a
// string or key in it is not UTF-8 text without NUL (PostgreSQL's jsonb refuses \u0000).
bool json_clean(const boost::json::value& v, problems& p);

std::optional<std::intmax_t> text_signed(std::string_view s, integer_range r, problems& p);
std::optional<std::uintmax_t> text_unsigned(std::string_view s, integer_range r, problems& p);
std::optional<double> text_number(std::string_view s, problems& p);
std::optional<bool> text_bool(std::string_view s, problems& p);
std::optional<std::string> text_string(std::string_view s, problems& p);
std::optional<uuid> text_uuid(std::string_view s, problems& p);
std::optional<timestamp> text_timestamp(std::string_view s, problems& p);

// "must be one of: draft, active" for described enums.
std::string choices_message(const std::string_view* names, std::size_t count);

}  // namespace keel::dto::detail
