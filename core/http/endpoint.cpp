// The parts of typed routes that do not depend on the DTO types.
#include "core/http/endpoint.hpp"

#include <algorithm>
#include <cctype>

#include "core/runtime/error.hpp"

namespace keel::http::detail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The charset parameter's value, unquoted, or empty when the header names none.
std::string_view charset_of(std::string_view parameters) {
  while (!parameters.empty()) {
    auto semicolon = parameters.find(';');
    std::string_view parameter = trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? "" : parameters.substr(semicolon + 1);
    auto eq = parameter.find('=');
    if (eq == std::string_view::npos || !iequals(trim(parameter.substr(0, eq)), "charset")) {
      continue;
    }
    std::string_view value = trim(parameter.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value.empty() ? std::string_view("(empty)") : value;
  }
  return {};
}

}  // namespace

void require_json_body(const request& req) {
  std::optional<std::string_view> header = req.header("Content-Type");
  std::string_view value = header.value_or("");
  auto semicolon = value.find(';');
  std::string_view type = trim(value.substr(0, semicolon));
  bool json =
      iequals(type, "application/json") || (type.size() > 5 && type.starts_with("application/") &&
                                            iequals(type.substr(type.size() - 5), "+json"));
  if (!json) {
    throw error(error_kind::unsupported_media_type, "unsupported_media_type",
                "The body must be JSON, sent with Content-Type: application/json.");
  }
  // JSON is UTF-8 (RFC 8259 section 8.1); a body declared as anything else would be misread.
  std::string_view charset =
      semicolon == std::string_view::npos ? "" : charset_of(value.substr(semicolon + 1));
  if (!charset.empty() && !iequals(charset, "utf-8")) {
    throw error(error_kind::unsupported_media_type, "unsupported_media_type",
                "The body must be UTF-8 JSON; only charset=utf-8 is accepted.");
  }
}

bool has_media_type(const request& req, std::string_view type) {
  std::string_view value = req.header("Content-Type").value_or("");
  return iequals(trim(value.substr(0, value.find(';'))), type);
}

std::vector<int> implied_errors(bool has_query, bool has_body, access rule, bool limited,
                                std::vector<int> declared) {
  if (has_query || has_body) declared.push_back(422);
  if (rule != access::none) declared.push_back(401);
  if (rule == access::admin) declared.push_back(403);
  if (limited) declared.push_back(429);
  if (has_body) {
    declared.push_back(413);
    declared.push_back(415);
  }
  std::sort(declared.begin(), declared.end());
  declared.erase(std::unique(declared.begin(), declared.end()), declared.end());
  return declared;
}

}  // namespace keel::http::detail
