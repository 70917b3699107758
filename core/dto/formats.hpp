// Checks for the string formats a rule can require (format::email, format::uuid, ...).
#pragma once
#include <string_view>

#include "core/dto/rules.hpp"

namespace keel::dto {

// True when `text` has format `f` (always true for format::none). Email is checked the
// pragmatic way (local@domain.tld, no spaces); only sending mail proves an address exists.
bool matches_format(std::string_view text, format f);

// The number of Unicode code points in UTF-8 `text` (Boost.JSON has already rejected bad UTF-8).
std::size_t code_points(std::string_view text);

}  // namespace keel::dto
