// Field constraints a DTO declares beside its struct; decoding, validation and the schema read
// them.
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace keel::dto {

// Formats a string field must have; each maps to a JSON Schema "format".
enum class format { none, email, uuid, date_time, date, slug, uri };

// The JSON Schema spelling ("date-time"), empty for format::none.
constexpr std::string_view format_name(format f) {
  switch (f) {
    case format::email:
      return "email";
    case format::uuid:
      return "uuid";
    case format::date_time:
      return "date-time";
    case format::date:
      return "date";
    case format::slug:
      return "slug";
    case format::uri:
      return "uri";
    case format::none:
      break;
  }
  return {};
}

// one_of keeps its options inline so a rule set stays a constexpr value with no allocation.
inline constexpr std::size_t max_choices = 16;

// Limits on one field. Lengths count Unicode code points, as JSON Schema's minLength does,
// so "é" is one character whether it arrives precomposed in two bytes or not.
struct constraints {
  std::optional<std::size_t> min_length;
  std::optional<std::size_t> max_length;
  std::optional<double> minimum;  // inclusive
  std::optional<double> maximum;  // inclusive
  std::optional<std::size_t> min_items;
  std::optional<std::size_t> max_items;
  format string_format = format::none;
  // ECMAScript, searched rather than matched (as JSON Schema does): anchor with ^...$.
  // Requires max_length, checked first, so the regex never sees an unbounded input.
  std::string_view pattern;
  std::array<std::string_view, max_choices> choices{};
  std::size_t choice_count = 0;
  std::string_view description;  // shown in the OpenAPI document
};

// A builder: field("email").format(format::email).max_length(254).
struct field_rule {
  std::string_view name;
  constraints limits;

  constexpr field_rule min_length(std::size_t n) const {
    return with([&](auto& c) { c.min_length = n; });
  }
  constexpr field_rule max_length(std::size_t n) const {
    return with([&](auto& c) { c.max_length = n; });
  }
  constexpr field_rule length(std::size_t min, std::size_t max) const {
    return min_length(min).max_length(max);
  }
  constexpr field_rule minimum(double v) const {
    return with([&](auto& c) { c.minimum = v; });
  }
  constexpr field_rule maximum(double v) const {
    return with([&](auto& c) { c.maximum = v; });
  }
  constexpr field_rule range(double min, double max) const { return minimum(min).maximum(max); }
  constexpr field_rule min_items(std::size_t n) const {
    return with([&](auto& c) { c.min_items = n; });
  }
  constexpr field_rule max_items(std::size_t n) const {
    return with([&](auto& c) { c.max_items = n; });
  }
  constexpr field_rule format(dto::format f) const {
    return with([&](auto& c) { c.string_format = f; });
  }
  constexpr field_rule pattern(std::string_view re) const {
    return with([&](auto& c) { c.pattern = re; });
  }
  constexpr field_rule description(std::string_view text) const {
    return with([&](auto& c) { c.description = text; });
  }
  template <class... S>
  constexpr field_rule one_of(S... options) const {
    static_assert(sizeof...(S) > 0 && sizeof...(S) <= max_choices, "one_of takes 1 to 16 options");
    return with([&](auto& c) {
      c.choice_count = 0;
      ((c.choices[c.choice_count++] = std::string_view(options)), ...);
    });
  }

 private:
  template <class Change>
  constexpr field_rule with(Change change) const {
    field_rule copy = *this;
    change(copy.limits);
    return copy;
  }
};

constexpr field_rule field(std::string_view name) {
  return field_rule{name, {}};
}

template <std::size_t N>
struct rule_set {
  std::array<field_rule, N> fields;
};

// What a DTO's keel_rules returns. A rule naming a field the struct does not have fails to compile.
template <class... F>
constexpr rule_set<sizeof...(F)> rules(F... fields) {
  return {{fields...}};
}

}  // namespace keel::dto
