// The one list shape every endpoint returns: {"data": [...], "next_cursor": "..." | null}.
#pragma once
#include <boost/describe/class.hpp>
#include <optional>
#include <string>
#include <vector>

namespace keel::dto {

// next_cursor is null on the last page; otherwise the client sends it back to get the next one
// (see cursor.hpp, which also has the helper every list builds its page with). There is no
// total count: counting defeats keyset pagination's point.
template <class T>
struct page {
  std::vector<T> data;
  std::optional<std::string> next_cursor;

  BOOST_DESCRIBE_CLASS(page, (), (data, next_cursor), (), ())
};

}  // namespace keel::dto
