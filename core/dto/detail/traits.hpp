// Type questions the DTO machinery asks: which member types are optional, lists, described, ruled.
#pragma once
#include <array>
#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/dto/rules.hpp"

namespace keel::dto::detail {

template <class>
inline constexpr bool always_false = false;

template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;

template <class T>
inline constexpr bool is_vector = false;
template <class T, class A>
inline constexpr bool is_vector<std::vector<T, A>> = true;

template <class T>
inline constexpr bool is_described_struct =
    boost::describe::has_describe_members<T>::value&& std::is_class_v<T>;

template <class T>
inline constexpr bool is_described_enum = boost::describe::has_describe_enumerators<T>::value;

template <class T>
inline constexpr bool is_integer = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class T>
using members_of = boost::describe::describe_members<T, boost::describe::mod_public |
                                                            boost::describe::mod_inherited>;

template <class T, class D>
using member_type = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;

// A struct opts into a schema component (and a $ref) by naming itself.
template <class T>
concept named_schema = requires {
  std::string_view(T::schema_name);
};

// keel_rules is looked up by ADL in the DTO's namespace; a DTO without one has no extra rules.
template <class T>
constexpr auto find_rules() {
  if constexpr (requires { keel_rules(static_cast<const T*>(nullptr)); }) {
    return keel_rules(static_cast<const T*>(nullptr));
  } else {
    return rule_set<0>{};
  }
}

template <class T>
inline constexpr auto rules_for = find_rules<T>();

template <class T>
constexpr int rule_index(std::string_view member) {
  const auto& fields = rules_for<T>.fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == member) return static_cast<int>(i);
  }
  return -1;
}

template <template <class...> class L, class... D>
constexpr auto names_of(L<D...>) {
  return std::array<std::string_view, sizeof...(D)>{std::string_view(D::name)...};
}

// True when every rule names a described member and no member is named twice.
template <class T>
constexpr bool rules_name_members() {
  constexpr auto names = names_of(members_of<T>{});
  const auto& fields = rules_for<T>.fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    bool found = false;
    for (auto name : names) found = found || name == fields[i].name;
    if (!found) return false;
    for (std::size_t j = 0; j < i; ++j) {
      if (fields[j].name == fields[i].name) return false;
    }
  }
  return true;
}

template <class T>
constexpr void check_rules() {
  static_assert(rules_name_members<T>(),
                "keel_rules: a field(\"...\") names no described member of this struct, "
                "or names one twice");
}

}  // namespace keel::dto::detail
