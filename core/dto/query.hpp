// Query parameters into a DTO, with the same rules and 422 reporting as JSON bodies.
//
// A query DTO is a described struct of scalars: std::string, bool ("true"/"false"/"1"/"0"),
// integers, double, keel::uuid, keel::timestamp, described enums, and std::optional of those.
// An empty value (?cursor=) counts as absent, which is what HTML forms send for a blank field.
// A decoded value that is not UTF-8 text without NUL (?q=%00, ?q=%FF) is a problem of its field.
// A repeatable parameter (?size=a&size=b) is a std::vector or std::optional<std::vector> of a
// scalar: every occurrence is one item, in the order sent; it is never required.
#pragma once
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/dto/detail/from_json.hpp"
#include "core/dto/problems.hpp"
#include "core/runtime/text.hpp"

namespace keel::dto {
namespace detail {

template <class T>
bool read_text(std::string_view s, T& out, problems& p) {
  auto assign = [&out](auto&& read) {
    if (!read) return false;
    out = static_cast<T>(*read);
    return true;
  };
  if constexpr (is_optional<T>) {
    typename T::value_type inner{};
    if (!read_text(s, inner, p)) return false;
    out = std::move(inner);
    return true;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return assign(text_string(s, p));
  } else if constexpr (std::is_same_v<T, bool>) {
    return assign(text_bool(s, p));
  } else if constexpr (is_integer<T> && std::is_signed_v<T>) {
    return assign(text_signed(s, range_of<T>(), p));
  } else if constexpr (is_integer<T>) {
    return assign(text_unsigned(s, range_of<T>(), p));
  } else if constexpr (std::is_floating_point_v<T>) {
    return assign(text_number(s, p));
  } else if constexpr (std::is_same_v<T, uuid>) {
    return assign(text_uuid(s, p));
  } else if constexpr (std::is_same_v<T, timestamp>) {
    return assign(text_timestamp(s, p));
  } else if constexpr (is_described_enum<T>) {
    return read_enum(s, out, p);
  } else {
    static_assert(always_false<T>, "keel::dto: query parameters must be scalars or optionals");
  }
}

// The item type of a repeatable parameter's member, void for a single one.
template <class T>
struct repeated_item {
  using type = void;
};
template <class X, class A>
struct repeated_item<std::vector<X, A>> {
  using type = X;
};
template <class X, class A>
struct repeated_item<std::optional<std::vector<X, A>>> {
  using type = X;
};
template <class T>
inline constexpr bool is_repeated = !std::is_void_v<typename repeated_item<T>::type>;

// Every occurrence of a repeatable parameter; a bad item is reported as "name[i]".
template <class M>
bool read_repeated(std::vector<std::string> texts, M& out, problems& p) {
  std::erase_if(texts, [](const std::string& t) { return t.empty(); });
  if (texts.empty()) return false;  // absent: the member keeps its empty value
  std::vector<typename repeated_item<M>::type> items(texts.size());
  bool ok = true;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto at = p.enter_index(i);
    ok = read_text(texts[i], items[i], p) && ok;
  }
  if (ok) out = std::move(items);
  return ok;
}

}  // namespace detail

// `lookup(name)` returns the decoded parameter or nullopt when absent, e.g.
// [&](std::string_view n) { return request.query_param(n); }. Taking a callable keeps
// core/dto free of HTTP. Throws keel::validation_failed listing every bad parameter.
// `lookup_all(name)` returns every value of a repeatable parameter (std::vector<std::string>).
template <class T, class Lookup, class LookupAll>
T decode_query(Lookup&& lookup, LookupAll&& lookup_all) {
  static_assert(detail::is_described_struct<T>, "decode_query<T>: T must be a described struct");
  detail::check_rules<T>();
  T out{};
  problems found;
  boost::mp11::mp_for_each<detail::members_of<T>>([&](auto D) {
    using M = detail::member_type<T, decltype(D)>;
    auto at = found.enter_field(D.name);
    if constexpr (detail::is_repeated<M>) {
      std::vector<std::string> texts = lookup_all(std::string_view(D.name));
      if (detail::read_repeated(std::move(texts), out.*D.pointer, found)) {
        detail::check_member<T, decltype(D)>(out.*D.pointer, found);
      }
    } else {
      std::optional<std::string> text = lookup(std::string_view(D.name));
      if (!text || text->empty()) {
        if constexpr (!detail::is_optional<M>) found.add("is required");
        return;
      }
      if (detail::read_text(*text, out.*D.pointer, found)) {
        detail::check_member<T, decltype(D)>(out.*D.pointer, found);
      }
    }
  });
  if constexpr (requires { keel_validate(static_cast<const T&>(out), found); }) {
    if (found.empty()) keel_validate(static_cast<const T&>(out), found);
  }
  found.throw_if_any();
  return out;
}

// For a lookup that knows one value per name: a repeatable parameter gets at most one item.
template <class T, class Lookup>
T decode_query(Lookup&& lookup) {
  return decode_query<T>(lookup, [&lookup](std::string_view name) {
    std::vector<std::string> all;
    if (std::optional<std::string> one = lookup(name)) all.push_back(std::move(*one));
    return all;
  });
}

// Throws keel::validation_failed naming every parameter in `names` that T does not declare,
// for a route where a misspelt parameter must not be silently ignored (a filter, say).
template <class T>
void reject_unknown_params(const std::vector<std::string>& names, std::string_view message) {
  static_assert(detail::is_described_struct<T>, "reject_unknown_params<T>: T must be described");
  constexpr auto known = detail::names_of(detail::members_of<T>{});
  // Through `problems`, so that a query of a thousand made-up names gets the same capped
  // answer as any other input; a name that is not clean text is echoed cleaned, so the answer
  // stays valid JSON.
  problems found;
  std::set<std::string_view> reported;
  for (const std::string& name : names) {
    if (found.full()) break;
    bool declared = std::find(known.begin(), known.end(), std::string_view(name)) != known.end();
    if (declared || !reported.insert(name).second) continue;
    found.add(text::cleaned(name, 100), std::string(message));
  }
  found.throw_if_any();
}

// One path or query value converted alone (e.g. a {id} path parameter as keel::uuid);
// a bad value is keel::validation_failed naming `name`.
template <class T>
T decode_param(std::string_view name, std::string_view text) {
  T out{};
  problems found;
  auto at = found.enter_field(name);
  if (detail::read_text(text, out, found)) return out;
  found.throw_if_any();
  return out;
}

}  // namespace keel::dto
