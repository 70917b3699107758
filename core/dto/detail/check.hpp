// Applies a member's declared constraints to its decoded value (shared by JSON and query decoding).
#pragma once
#include <cstddef>
#include <regex>
#include <string>
#include <string_view>

#include "core/dto/detail/traits.hpp"
#include "core/dto/problems.hpp"

namespace keel::dto::detail {

void check_string(std::string_view value, const constraints& c, const std::regex* pattern,
                  problems& out);
void check_number(double value, const constraints& c, problems& out);
void check_items(std::size_t count, const constraints& c, problems& out);

// Compiled once per field, on first use; the pattern is a constant of the program.
template <class T, int Index>
const std::regex& pattern_for() {
  static const std::regex compiled(std::string(rules_for<T>.fields[Index].limits.pattern),
                                   std::regex::ECMAScript);
  return compiled;
}

template <class V>
inline constexpr bool is_text = std::is_same_v<V, std::string>;

template <class V>
inline constexpr bool is_number = is_integer<V> || std::is_floating_point_v<V>;

template <class T, int Index, class V>
void check_value(const V& value, problems& out) {
  constexpr const constraints& c = rules_for<T>.fields[Index].limits;
  if constexpr (is_optional<V>) {
    if (value) check_value<T, Index>(*value, out);
  } else {
    constexpr bool text_rules = c.min_length || c.max_length || !c.pattern.empty() ||
                                c.string_format != format::none || c.choice_count > 0;
    constexpr bool number_rules = c.minimum || c.maximum;
    constexpr bool item_rules = c.min_items || c.max_items;
    static_assert(c.pattern.empty() || c.max_length,
                  "keel_rules: a pattern needs a max_length too: std::regex recurses per "
                  "character, so an unbounded input could exhaust the stack");
    static_assert(!text_rules || is_text<V>,
                  "keel_rules: length, pattern, format and one_of apply to string fields");
    static_assert(!number_rules || is_number<V>,
                  "keel_rules: minimum and maximum apply to number fields");
    static_assert(!item_rules || is_vector<V>,
                  "keel_rules: min_items and max_items apply to std::vector fields");
    // The static_asserts above explain a misplaced rule; these guards keep it the only error.
    if constexpr (text_rules && is_text<V>) {
      const std::regex* pattern = nullptr;
      if constexpr (!c.pattern.empty()) pattern = &pattern_for<T, Index>();
      check_string(value, c, pattern, out);
    } else if constexpr (number_rules && is_number<V>) {
      check_number(static_cast<double>(value), c, out);
    } else if constexpr (item_rules && is_vector<V>) {
      check_items(value.size(), c, out);
    }
  }
}

// Checks member D of T against the rule that names it, if one does.
template <class T, class D, class V>
void check_member(const V& value, problems& out) {
  constexpr int index = rule_index<T>(D::name);
  if constexpr (index >= 0) check_value<T, index>(value, out);
}

}  // namespace keel::dto::detail
