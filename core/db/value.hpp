// How C++ values become bound parameters and how result fields become C++ values.
#pragma once
#include <boost/json/fwd.hpp>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::db {

// One bound parameter in PostgreSQL's text format; nullopt is SQL NULL.
using param = std::optional<std::string>;

param to_param(std::string_view v);
param to_param(const std::string& v);
param to_param(const char* v);
param to_param(bool v);
param to_param(std::int64_t v);
param to_param(std::int32_t v);
param to_param(double v);
param to_param(const uuid& v);
param to_param(timestamp v);
param to_param(const boost::json::value& v);  // for json/jsonb columns
param to_param(const boost::json::object& v);
param to_param(std::nullopt_t);
template <class T>
param to_param(const std::optional<T>& v) {
  return v ? to_param(*v) : param{};
}

// The parameters of one statement, $1 first. Always built from values, never from SQL text.
class params {
 public:
  params() = default;
  template <class... A>
  static params of(const A&... args) {
    params p;
    p.values_.reserve(sizeof...(A));
    (p.values_.push_back(to_param(args)), ...);
    return p;
  }
  void add(param p) { values_.push_back(std::move(p)); }
  const std::vector<param>& values() const { return values_; }

 private:
  std::vector<param> values_;
};

// Decoding one non-NULL field from its text form; throws db::error on a malformed value.
template <class T>
struct field_decoder;

template <>
struct field_decoder<std::string> {
  static std::string decode(std::string_view text) { return std::string(text); }
};
template <>
struct field_decoder<bool> {
  static bool decode(std::string_view text);
};
template <>
struct field_decoder<std::int64_t> {
  static std::int64_t decode(std::string_view text);
};
template <>
struct field_decoder<std::int32_t> {
  static std::int32_t decode(std::string_view text);
};
template <>
struct field_decoder<double> {
  static double decode(std::string_view text);
};
template <>
struct field_decoder<uuid> {
  static uuid decode(std::string_view text);
};
template <>
struct field_decoder<timestamp> {
  static timestamp decode(std::string_view text);
};
template <>
struct field_decoder<boost::json::value> {
  static boost::json::value decode(std::string_view text);
};

}  // namespace keel::db
