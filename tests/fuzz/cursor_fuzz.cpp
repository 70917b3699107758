// Keyset cursors as clients send them back (?cursor=...): decoded into each store's position
// type the way its list reads it, and a decoded cursor must re-encode to the same keys.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/catalog/store.hpp"
#include "core/dto/cursor.hpp"
#include "core/jobs/store.hpp"
#include "core/rules/store.hpp"
#include "core/runtime/error.hpp"

namespace {

template <class K>
void read_as(std::string_view text, int limit) {
  try {
    auto at = keel::dto::read_page<K>(limit, std::string(text));
    if (at.limit < 1 || at.limit > 100) std::abort();
    // What the next page's cursor would be for the same keys: it must read back alike.
    auto again = keel::dto::read_cursor<K>(keel::dto::make_cursor(*at.after));
    if (keel::dto::encode(again) != keel::dto::encode(*at.after)) std::abort();
  } catch (const keel::validation_failed&) {
    // A cursor that is not one of ours: the list answers 422.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the limit the client sent with it (any int, clamped by read_page).
  int limit = static_cast<std::int8_t>(data[0]) * 1000;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  try {
    auto keys = keel::dto::decode_cursor(text);
    if (keel::dto::decode_cursor(keel::dto::encode_cursor(keys)) != keys) std::abort();
  } catch (const keel::validation_failed&) {
  }
  read_as<keel::catalog::store::template_position>(text, limit);  // templates
  read_as<keel::rulebook::store::list_position>(text, limit);     // public rules, with search
  read_as<keel::jobs::store::position>(text, limit);              // uuid keys (jobs, audit, ...)
  return 0;
}
