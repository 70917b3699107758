// Text-format encoding of bound parameters and decoding of result fields.
#include "core/db/value.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/db/error.hpp"

namespace keel::db {
namespace {

template <class I>
param integer_param(I v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  return std::string(buf, end);
}

[[noreturn]] void malformed(std::string_view type, std::string_view text) {
  // Only a prefix of the value: it may be long, and logs are not a data dump.
  throw error("cannot decode '" + std::string(text.substr(0, 64)) + "' as " + std::string(type));
}

template <class I>
I decode_integer(std::string_view text, std::string_view type) {
  I v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) malformed(type, text);
  return v;
}

}  // namespace

param to_param(std::string_view v) {
  // libpq sends text parameters as C strings: a NUL would silently cut the value short.
  if (std::memchr(v.data(), '\0', v.size()) != nullptr) {
    throw error("a text parameter contains a NUL byte", "22021");
  }
  return std::string(v);
}
param to_param(const std::string& v) {
  return to_param(std::string_view(v));
}
param to_param(const char* v) {
  return v ? to_param(std::string_view(v)) : param{};
}
param to_param(bool v) {
  return std::string(v ? "t" : "f");
}
param to_param(std::int64_t v) {
  return integer_param(v);
}
param to_param(std::int32_t v) {
  return integer_param(v);
}

param to_param(double v) {
  if (std::isnan(v)) return std::string("NaN");
  if (std::isinf(v)) return std::string(v > 0 ? "Infinity" : "-Infinity");
  char buf[32];
  // Shortest form that reads back as the same double.
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  return std::string(buf, end);
}

param to_param(const uuid& v) {
  return v.str();
}
param to_param(timestamp v) {
  return format_timestamp(v);
}
param to_param(const boost::json::value& v) {
  return boost::json::serialize(v);
}
param to_param(const boost::json::object& v) {
  return boost::json::serialize(v);
}
param to_param(std::nullopt_t) {
  return param{};
}

bool field_decoder<bool>::decode(std::string_view text) {
  if (text == "t" || text == "true") return true;
  if (text == "f" || text == "false") return false;
  malformed("bool", text);
}

std::int64_t field_decoder<std::int64_t>::decode(std::string_view text) {
  return decode_integer<std::int64_t>(text, "int64");
}

std::int32_t field_decoder<std::int32_t>::decode(std::string_view text) {
  return decode_integer<std::int32_t>(text, "int32");
}

double field_decoder<double>::decode(std::string_view text) {
  if (text == "NaN") return std::nan("");
  if (text == "Infinity") return HUGE_VAL;
  if (text == "-Infinity") return -HUGE_VAL;
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    malformed("double", text);
  }
  return v;
}

uuid field_decoder<uuid>::decode(std::string_view text) {
  if (auto u = uuid::parse(text)) return *u;
  malformed("uuid", text);
}

timestamp field_decoder<timestamp>::decode(std::string_view text) {
  if (auto t = parse_timestamp(text)) return *t;
  malformed("timestamp", text);
}

boost::json::value field_decoder<boost::json::value>::decode(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec) malformed("json", text);
  return v;
}

}  // namespace keel::db
