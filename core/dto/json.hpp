// JSON in and out of DTOs: decode + validate a request body, encode a response.
//
// A DTO is a struct described with BOOST_DESCRIBE_STRUCT. Every member is required
// unless it is a std::optional (absent or null gives nullopt, and encodes as null).
// Member types: std::string, bool, any integer (range-checked), float/double,
// std::optional<X>, std::vector<X>, boost::json::value / object (free-form),
// keel::uuid, keel::timestamp (RFC 3339), described structs and described enums
// (as their enumerator names). Unknown fields are ignored. Every string, free-form ones
// included, must be UTF-8 without NUL (what PostgreSQL stores), else it is a field problem.
//
// Constraints come from keel_rules (see rules.hpp); a cross-field check is an ADL
// function `void keel_validate(const T&, keel::dto::problems&)` run once the fields are valid.
#pragma once
#include <boost/json/value.hpp>
#include <string_view>

#include "core/dto/detail/from_json.hpp"
#include "core/dto/detail/to_json.hpp"
#include "core/dto/problems.hpp"
#include "core/dto/rules.hpp"

namespace keel::dto {

// Throws keel::bad_request ("malformed_json") when the text is not one JSON value.
boost::json::value parse_json(std::string_view text);

// Throws keel::bad_request when `v` is not an object, and keel::validation_failed with every
// field problem ("items[2].name": "is required") when it breaks the contract.
template <class T>
T decode(const boost::json::value& v) {
  static_assert(detail::is_described_struct<T>, "decode<T>: T must be a described struct");
  const boost::json::object* o = v.if_object();
  if (!o) throw bad_request("The body must be a JSON object.", "body_not_object");
  T out{};
  problems found;
  detail::read_struct(*o, out, found);
  found.throw_if_any();
  return out;
}

// A request body: parse_json then decode.
template <class T>
T parse_body(std::string_view json_text) {
  return decode<T>(parse_json(json_text));
}

template <class T>
boost::json::value encode(const T& value) {
  return detail::write_json(value);
}

}  // namespace keel::dto
