// Writes any supported member type as JSON, the mirror of from_json.hpp.
#pragma once
#include <boost/describe/enum_to_string.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include "core/dto/detail/traits.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::dto::detail {

template <class T>
boost::json::value write_json(const T& in) {
  if constexpr (is_optional<T>) {
    return in ? write_json(*in) : boost::json::value(nullptr);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                       std::is_same_v<T, boost::json::value> ||
                       std::is_same_v<T, boost::json::object>) {
    return boost::json::value(in);
  } else if constexpr (is_integer<T> && std::is_signed_v<T>) {
    return boost::json::value(static_cast<std::int64_t>(in));
  } else if constexpr (is_integer<T>) {
    return boost::json::value(static_cast<std::uint64_t>(in));
  } else if constexpr (std::is_floating_point_v<T>) {
    return boost::json::value(static_cast<double>(in));
  } else if constexpr (std::is_same_v<T, uuid>) {
    return boost::json::value(in.str());
  } else if constexpr (std::is_same_v<T, timestamp>) {
    return boost::json::value(format_timestamp(in));
  } else if constexpr (is_vector<T>) {
    boost::json::array a;
    a.reserve(in.size());
    for (const auto& item : in) a.push_back(write_json(item));
    return a;
  } else if constexpr (is_described_enum<T>) {
    return boost::json::value(boost::describe::enum_to_string(in, ""));
  } else if constexpr (is_described_struct<T>) {
    boost::json::object o;
    boost::mp11::mp_for_each<members_of<T>>(
        [&](auto D) { o.emplace(D.name, write_json(in.*D.pointer)); });
    return o;
  } else {
    static_assert(always_false<T>, "keel::dto: unsupported member type (see core/dto/json.hpp)");
  }
}

}  // namespace keel::dto::detail
