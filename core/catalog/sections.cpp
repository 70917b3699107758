// Sections document checks: the JSON walk behind the limits, and the order of the sections.
#include "core/catalog/sections.hpp"

#include <algorithm>
#include <boost/json/value.hpp>
#include <cmath>
#include <string>

#include "core/dto/json.hpp"

namespace keel::catalog {
namespace {

constexpr std::size_t max_reported = 50;

// Characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one.
std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string too_long() {
  return "must be at most " + std::to_string(document_limits::max_string) + " characters";
}

}  // namespace

bool is_reserved_key(std::string_view key) {
  return key == "__proto__" || key == "constructor" || key == "prototype";
}

void check_json_limits(const boost::json::value& value, dto::problems& found, std::size_t depth) {
  if (found.size() >= max_reported) return;
  if (value.is_string()) {
    const auto& s = value.get_string();
    if (characters(std::string_view(s.data(), s.size())) > document_limits::max_string) {
      found.add(too_long());
    }
    return;
  }
  // 1e400 parses as an infinite double, which PostgreSQL's jsonb cannot store (a 500 before).
  if (value.is_double() && !std::isfinite(value.get_double())) {
    found.add("is a number too large to store");
    return;
  }
  if (!value.is_array() && !value.is_object()) return;
  if (depth > document_limits::max_depth) {
    // Said once, where it happens; what lies deeper is not looked at.
    found.add("nests deeper than " + std::to_string(document_limits::max_depth) + " levels");
    return;
  }
  if (const auto* array = value.if_array()) {
    if (array->size() > document_limits::max_items) {
      found.add("must have at most " + std::to_string(document_limits::max_items) + " items");
      return;
    }
    for (std::size_t i = 0; i < array->size() && found.size() < max_reported; ++i) {
      auto at = found.enter_index(i);
      check_json_limits((*array)[i], found, depth + 1);
    }
    return;
  }
  const auto& object = value.get_object();
  if (object.size() > document_limits::max_keys) {
    found.add("must have at most " + std::to_string(document_limits::max_keys) + " keys");
    return;
  }
  for (const auto& [key, member] : object) {
    if (found.size() >= max_reported) return;
    std::string_view name(key.data(), key.size());
    if (characters(name) > document_limits::max_string) {
      // The key itself is too long to repeat back as a path.
      found.add("has a key longer than " + std::to_string(document_limits::max_string) +
                " characters");
      continue;
    }
    auto at = found.enter_field(name);
    if (is_reserved_key(name)) {
      found.add("is a reserved key");
      continue;
    }
    check_json_limits(member, found, depth + 1);
  }
}

void keel_validate(const sections_document& document, dto::problems& found) {
  constexpr std::size_t none = std::size(category_names);
  std::size_t previous = none;
  for (std::size_t i = 0; i < document.sections.size(); ++i) {
    const auto& name = document.sections[i].category_name;
    std::size_t rank = static_cast<std::size_t>(
        std::find(std::begin(category_names), std::end(category_names), name) -
        std::begin(category_names));
    if (previous != none && rank <= previous) {
      found.add("sections[" + std::to_string(i) + "].category_name",
                rank == previous ? "appears twice"
                                 : "must come before " + document.sections[i - 1].category_name +
                                       " (Values, Communication, Membership, Decision-making, "
                                       "Conflict management)");
    }
    previous = rank;
  }
  if (document.method_selections) {
    auto at = found.enter_field("method_selections");
    // The document is level 1, so its members are level 2.
    check_json_limits(boost::json::value(*document.method_selections), found, 2);
  }
}

sections_document read_document(const boost::json::value& value, std::string_view field) {
  sections_document out;
  dto::problems found;
  {
    auto at = found.enter_field(field);
    if (const auto* object = value.if_object()) {
      check_json_limits(value, found);
      // Decoded at the same path, so its problems also name the field as the client sent it.
      if (found.empty()) dto::detail::read_struct(*object, out, found);
    } else {
      found.add("must be an object");
    }
  }
  found.throw_if_any();
  return out;
}

}  // namespace keel::catalog
