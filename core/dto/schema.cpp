// The non-template parts of schema writing: registry bookkeeping and constraint keywords.
#include "core/dto/schema.hpp"

#include <cmath>
#include <stdexcept>

namespace keel::dto {

schema_registry::schema_registry(std::string ref_prefix) : prefix_(std::move(ref_prefix)) {}

bool schema_registry::reserve(std::string_view name, std::type_index type) {
  auto found = owners_.find(name);
  if (found == owners_.end()) {
    owners_.emplace(std::string(name), type);
    schemas_.emplace(name, boost::json::object{});
    return true;
  }
  if (found->second != type) {
    throw std::logic_error("two DTO types declare schema_name \"" + std::string(name) + "\"");
  }
  return false;
}

void schema_registry::define(std::string_view name, boost::json::value schema) {
  schemas_[name] = std::move(schema);
}

boost::json::value schema_registry::ref_to(std::string_view name) const {
  return boost::json::object{{"$ref", prefix_ + std::string(name)}};
}

namespace detail {
namespace {

// Whole numbers are written as integers: Boost.JSON would print 1.0 as 1E0.
boost::json::value number(double v) {
  if (std::trunc(v) == v && std::abs(v) < 9.0e15) return static_cast<std::int64_t>(v);
  return v;
}

}  // namespace

void add_constraints(boost::json::object& schema, const constraints& c) {
  if (!c.description.empty()) schema["description"] = c.description;
  if (c.min_length) schema["minLength"] = *c.min_length;
  if (c.max_length) schema["maxLength"] = *c.max_length;
  if (c.minimum) schema["minimum"] = number(*c.minimum);
  if (c.maximum) schema["maximum"] = number(*c.maximum);
  if (c.min_items) schema["minItems"] = *c.min_items;
  if (c.max_items) schema["maxItems"] = *c.max_items;
  if (c.string_format != format::none) schema["format"] = format_name(c.string_format);
  if (!c.pattern.empty()) schema["pattern"] = c.pattern;
  if (c.choice_count > 0) {
    boost::json::array choices;
    for (std::size_t i = 0; i < c.choice_count; ++i) choices.emplace_back(c.choices[i]);
    // An optional field's type already admits null; its enum must too, or null would fail it.
    if (auto* type = schema.if_contains("type"); type && type->is_array()) {
      choices.emplace_back(nullptr);
    }
    schema["enum"] = std::move(choices);
  }
}

boost::json::value nullable(boost::json::value schema) {
  boost::json::object& s = schema.as_object();
  if (s.empty()) return schema;  // "any" already admits null
  if (auto* type = s.if_contains("type"); type && type->is_string()) {
    boost::json::value single = *type;
    *type = boost::json::array{single, "null"};
    if (auto* choices = s.if_contains("enum")) choices->as_array().emplace_back(nullptr);
    return schema;
  }
  return boost::json::object{
      {"anyOf", boost::json::array{schema, boost::json::object{{"type", "null"}}}}};
}

boost::json::object integer_schema(bool is_signed, std::size_t bytes) {
  boost::json::object s{{"type", "integer"}};
  if (bytes == 4) s["format"] = is_signed ? "int32" : "uint32";
  if (bytes == 8) s["format"] = is_signed ? "int64" : "uint64";
  if (!is_signed) s["minimum"] = 0;
  return s;
}

boost::json::value with_defs(boost::json::value schema, const schema_registry& registry) {
  if (!registry.schemas().empty()) schema.as_object()["$defs"] = registry.schemas();
  return schema;
}

}  // namespace detail
}  // namespace keel::dto
