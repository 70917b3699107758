// Opaque keyset-pagination cursors, so no feature hand-rolls one.
//
// A cursor is the last row's sort key (e.g. {created_at, id}) as a small DTO, written as JSON
// and then base64url. It is opaque, not secret nor signed: decoding validates it like any
// other input, and the store binds its values as parameters.
#pragma once
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/dto/json.hpp"

namespace keel::dto {

std::string encode_cursor(const boost::json::object& keys);

// Throws keel::validation_failed with {field: `field`, "is not a valid cursor"} (422) when the
// text is not one of ours.
boost::json::object decode_cursor(std::string_view text, std::string_view field = "cursor");

// The typed form: K is a described struct holding the keys.
template <class K>
std::string make_cursor(const K& keys) {
  return encode_cursor(encode(keys).as_object());
}

template <class K>
K read_cursor(std::string_view text, std::string_view field = "cursor") {
  boost::json::object keys = decode_cursor(text, field);
  try {
    return decode<K>(keys);
  } catch (const validation_failed&) {
    // The keys' own field names mean nothing to the client: the cursor as a whole is bad.
    throw validation_failed({{std::string(field), "is not a valid cursor"}});
  }
}

}  // namespace keel::dto
