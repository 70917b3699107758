// JSON Schema 2020-12 (as OpenAPI 3.1 uses it) from the same DTO description that decodes.
//
// A struct that declares `static constexpr std::string_view schema_name = "Template";`
// becomes a named schema referenced by $ref; any other struct is written inline.
#pragma once
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <map>
#include <string>
#include <string_view>
#include <typeindex>

#include "core/dto/detail/traits.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::dto {

// The named schemas met while writing schemas, and how a $ref to them is spelled.
class schema_registry {
 public:
  // "#/components/schemas/" for an OpenAPI document, "#/$defs/" for a standalone schema.
  explicit schema_registry(std::string ref_prefix = "#/components/schemas/");

  // The $ref to `name`, building its schema on first use. Recursive types terminate because
  // the name is reserved before `build` runs. Two types claiming one name is a logic_error.
  template <class T, class Build>
  boost::json::value ref(std::string_view name, Build&& build) {
    if (reserve(name, typeid(T))) define(name, build());
    return ref_to(name);
  }

  const boost::json::object& schemas() const { return schemas_; }

 private:
  bool reserve(std::string_view name, std::type_index type);  // true when new
  void define(std::string_view name, boost::json::value schema);
  boost::json::value ref_to(std::string_view name) const;

  std::string prefix_;
  boost::json::object schemas_;
  std::map<std::string, std::type_index, std::less<>> owners_;
};

namespace detail {

void add_constraints(boost::json::object& schema, const constraints& c);
boost::json::value nullable(boost::json::value schema);
boost::json::object integer_schema(bool is_signed, std::size_t bytes);

template <class T>
boost::json::value schema_for(schema_registry& registry);

// Properties and required list; a named struct's body too.
template <class T>
boost::json::object object_schema(schema_registry& registry) {
  check_rules<T>();
  boost::json::object properties;
  boost::json::array required;
  boost::mp11::mp_for_each<members_of<T>>([&](auto D) {
    using M = member_type<T, decltype(D)>;
    boost::json::value property = schema_for<M>(registry);
    constexpr int index = rule_index<T>(D.name);
    if constexpr (index >= 0)
      add_constraints(property.as_object(), rules_for<T>.fields[index].limits);
    properties.emplace(D.name, std::move(property));
    if constexpr (!is_optional<M>) required.emplace_back(D.name);
  });
  boost::json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema.emplace("required", std::move(required));
  return schema;
}

template <class T>
boost::json::value schema_for(schema_registry& registry) {
  using boost::json::object;
  if constexpr (is_optional<T>) {
    return nullable(schema_for<typename T::value_type>(registry));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return object{{"type", "string"}};
  } else if constexpr (std::is_same_v<T, bool>) {
    return object{{"type", "boolean"}};
  } else if constexpr (is_integer<T>) {
    return integer_schema(std::is_signed_v<T>, sizeof(T));
  } else if constexpr (std::is_floating_point_v<T>) {
    return object{{"type", "number"}};
  } else if constexpr (std::is_same_v<T, uuid>) {
    return object{{"type", "string"}, {"format", "uuid"}};
  } else if constexpr (std::is_same_v<T, timestamp>) {
    return object{{"type", "string"}, {"format", "date-time"}};
  } else if constexpr (std::is_same_v<T, boost::json::value>) {
    return object{};  // any JSON value
  } else if constexpr (std::is_same_v<T, boost::json::object>) {
    // Said explicitly: code generators (openapi-typescript) read a bare object type as one
    // with no properties at all.
    return object{{"type", "object"}, {"additionalProperties", true}};
  } else if constexpr (is_vector<T>) {
    return object{{"type", "array"}, {"items", schema_for<typename T::value_type>(registry)}};
  } else if constexpr (is_described_enum<T>) {
    boost::json::array names;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>(
        [&](auto D) { names.emplace_back(D.name); });
    return object{{"type", "string"}, {"enum", std::move(names)}};
  } else if constexpr (is_described_struct<T> && named_schema<T>) {
    return registry.template ref<T>(T::schema_name, [&] { return object_schema<T>(registry); });
  } else if constexpr (is_described_struct<T>) {
    return object_schema<T>(registry);
  } else {
    static_assert(always_false<T>, "keel::dto: unsupported member type (see core/dto/json.hpp)");
  }
}

// Moves the registry's named schemas under "$defs" so the schema stands alone.
boost::json::value with_defs(boost::json::value schema, const schema_registry& registry);

}  // namespace detail

// The schema of T, adding named structs to `registry` and referring to them.
template <class T>
boost::json::value schema_of(schema_registry& registry) {
  return detail::schema_for<T>(registry);
}

// A self-contained schema: named structs under "$defs", referenced as "#/$defs/Name".
// This is what a route_doc holds; the OpenAPI writer moves $defs into components/schemas.
template <class T>
boost::json::value standalone_schema() {
  schema_registry registry("#/$defs/");
  boost::json::value schema = detail::schema_for<T>(registry);
  return detail::with_defs(std::move(schema), registry);
}

// T's own object schema, always inline (never a $ref), for query parameters.
template <class T>
boost::json::value inline_schema() {
  static_assert(detail::is_described_struct<T>, "inline_schema<T>: T must be a described struct");
  schema_registry registry("#/$defs/");
  boost::json::value schema = detail::object_schema<T>(registry);
  return detail::with_defs(std::move(schema), registry);
}

}  // namespace keel::dto
