// Keyset pagination, so no feature hand-rolls it: opaque cursors and the page helper.
//
// A cursor is the last row's sort key (e.g. {created_at, id}) as a small DTO, written as JSON
// and then base64url. It is opaque, not secret nor signed: decoding validates it like any
// other input, and the store binds its values as parameters.
//
// Every list reads the same way:
//
//   auto at = dto::read_page<store::position>(query.limit, query.cursor);
//   auto rows = co_await store::list(db_, query.filters, at.after, at.fetch());
//   co_return dto::make_page(std::move(rows), at, [](const row& r) { return store::position{r.id};
//   });
#pragma once
#include <algorithm>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/dto/json.hpp"
#include "core/dto/page.hpp"

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

// How many rows a page holds: `fallback` when the client leaves `limit` out, at most `max`
// (the query's rules answer 422 above it; this keeps a route without such a rule bounded).
struct page_size {
  int fallback = 20;
  int max = 100;
};

// Where a page starts and how long it is, read from the list query's limit and cursor.
template <class K>
struct page_at {
  std::optional<K> after;  // the previous page's last key; none on the first page
  int limit = 0;
  // What to ask the store for: one row more than the page tells whether another follows.
  int fetch() const { return limit + 1; }
};

template <class K>
page_at<K> read_page(const std::optional<int>& limit, const std::optional<std::string>& cursor,
                     page_size size = {}) {
  page_at<K> at;
  at.limit = std::clamp(limit.value_or(size.fallback), 1, size.max);
  if (cursor) at.after = read_cursor<K>(*cursor);
  return at;
}

// The page of `rows` (as fetched with at.fetch()): trimmed to at.limit, with the cursor of its
// last row when more follow. `key_of(row)` is that row's K.
template <class T, class K, class F>
page<T> make_page(std::vector<T> rows, const page_at<K>& at, F&& key_of) {
  page<T> out;
  if (rows.size() > static_cast<std::size_t>(at.limit)) {
    rows.resize(static_cast<std::size_t>(at.limit));
    out.next_cursor = make_cursor(key_of(rows.back()));
  }
  out.data = std::move(rows);
  return out;
}

}  // namespace keel::dto
