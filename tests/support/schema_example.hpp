// Valid example values made from the JSON schemas of an OpenAPI document, for tests that
// start from a well-formed request of every route.
#pragma once
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace keel::test {

// A string that matches `pattern`, for the subset of regular expressions schemas use:
// anchors, literals, escapes, [classes] with ranges, (groups), |, and the quantifiers
// ?, *, +, {n} and {n,m} (each repeated its least non-zero number of times).
std::string example_matching(std::string_view pattern);

// Picks the value of a named object property before the schema is asked ("email" of a login
// should be an account that exists); nullopt lets the schema decide.
using property_override =
    std::function<std::optional<boost::json::value>(std::string_view property)>;

class schema_examples {
 public:
  // `document`: the OpenAPI document, whose components resolve "$ref"s.
  explicit schema_examples(const boost::json::value& document) : document_(document) {}

  // A value valid for `schema`: every property (required or not), arrays at their least
  // size (at least one element), strings by format, pattern and length, numbers in range.
  boost::json::value example(const boost::json::value& schema,
                             const property_override& overrides = {}) const;

  // What a "$ref" names ("#/components/schemas/X"); the schema itself when it is no ref.
  const boost::json::value& resolve(const boost::json::value& schema) const;

 private:
  boost::json::value example(const boost::json::value& schema, const property_override& overrides,
                             int depth) const;

  const boost::json::value& document_;
};

}  // namespace keel::test
