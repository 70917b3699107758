// Reads a JSON value into any supported member type, recording problems instead of stopping.
#pragma once
#include <boost/describe/enumerators.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <string_view>

#include "core/dto/detail/check.hpp"
#include "core/dto/detail/scalars.hpp"
#include "core/dto/detail/traits.hpp"

namespace keel::dto::detail {

template <class T>
bool read_json(const boost::json::value& v, T& out, problems& p);

template <class E>
bool read_enum(std::string_view name, E& out, problems& p) {
  bool found = false;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
    if (!found && name == D.name) {
      out = D.value;
      found = true;
    }
  });
  if (!found) {
    constexpr auto names = names_of(boost::describe::describe_enumerators<E>{});
    p.add(choices_message(names.data(), names.size()));
  }
  return found;
}

// An array over its member's max_items is refused before any element is decoded: the work
// and the answer then stay small however many elements were sent.
template <class T, class D>
bool items_fit(const boost::json::value& v, problems& p) {
  constexpr int index = rule_index<T>(D::name);
  if constexpr (index >= 0) {
    constexpr const constraints& c = rules_for<T>.fields[index].limits;
    if constexpr (c.max_items.has_value()) {
      const boost::json::array* a = v.if_array();
      if (a != nullptr && a->size() > *c.max_items) {
        check_items(a->size(), c, p);
        return false;
      }
    }
  }
  return true;
}

// Members are all read even after one fails, so the client hears of every problem at once
// (up to problems::max_listed).
template <class T>
bool read_struct(const boost::json::object& o, T& out, problems& p) {
  check_rules<T>();
  std::size_t before = p.size();
  boost::mp11::mp_for_each<members_of<T>>([&](auto D) {
    using M = member_type<T, decltype(D)>;
    if (p.full()) return;
    auto at = p.enter_field(D.name);
    const boost::json::value* v = o.if_contains(D.name);
    if (!v || (v->is_null() && is_optional<M>)) {
      if constexpr (!is_optional<M>) p.add("is required");
      return;
    }
    if (!items_fit<T, decltype(D)>(*v, p)) return;
    if (read_json(*v, out.*D.pointer, p)) check_member<T, decltype(D)>(out.*D.pointer, p);
  });
  // The cross-field hook runs only on valid fields, so it may trust every one of them.
  if constexpr (requires { keel_validate(static_cast<const T&>(out), p); }) {
    if (p.size() == before) keel_validate(static_cast<const T&>(out), p);
  }
  return p.size() == before;
}

template <class T>
bool read_json(const boost::json::value& v, T& out, problems& p) {
  auto assign = [&out](auto&& read) {
    if (!read) return false;
    out = static_cast<T>(*read);
    return true;
  };
  if constexpr (is_optional<T>) {
    if (v.is_null()) {
      out.reset();
      return true;
    }
    typename T::value_type inner{};
    if (!read_json(v, inner, p)) return false;
    out = std::move(inner);
    return true;
  } else if constexpr (!std::is_same_v<T, boost::json::value> && !is_optional<T>) {
    if (v.is_null()) {
      p.add("must not be null");
      return false;
    }
    if constexpr (std::is_same_v<T, std::string>) {
      return assign(json_string(v, p));
    } else if constexpr (std::is_same_v<T, bool>) {
      return assign(json_bool(v, p));
    } else if constexpr (is_integer<T> && std::is_signed_v<T>) {
      return assign(json_signed(v, range_of<T>(), p));
    } else if constexpr (is_integer<T>) {
      return assign(json_unsigned(v, range_of<T>(), p));
    } else if constexpr (std::is_floating_point_v<T>) {
      return assign(json_number(v, p));
    } else if constexpr (std::is_same_v<T, uuid>) {
      return assign(json_uuid(v, p));
    } else if constexpr (std::is_same_v<T, timestamp>) {
      return assign(json_timestamp(v, p));
    } else if constexpr (std::is_same_v<T, boost::json::object>) {
      if (auto* o = v.if_object()) {
        if (!json_clean(v, p)) return false;
        out = *o;
        return true;
      }
      p.add("must be an object");
      return false;
    } else if constexpr (is_vector<T>) {
      auto* a = v.if_array();
      if (!a) {
        p.add("must be an array");
        return false;
      }
      out.clear();
      out.reserve(a->size());
      bool ok = true;
      for (std::size_t i = 0; i < a->size(); ++i) {
        if (p.full()) return false;
        auto at = p.enter_index(i);
        typename T::value_type item{};
        ok = read_json((*a)[i], item, p) && ok;
        out.push_back(std::move(item));
      }
      return ok;
    } else if constexpr (is_described_enum<T>) {
      if (auto* s = v.if_string()) return read_enum(std::string_view(s->data(), s->size()), out, p);
      p.add("must be a string");
      return false;
    } else if constexpr (is_described_struct<T>) {
      if (auto* o = v.if_object()) return read_struct(*o, out, p);
      p.add("must be an object");
      return false;
    } else {
      static_assert(always_false<T>, "keel::dto: unsupported member type (see core/dto/json.hpp)");
    }
  } else {
    if (!json_clean(v, p)) return false;
    out = v;  // free-form JSON, null included
    return true;
  }
}

}  // namespace keel::dto::detail
