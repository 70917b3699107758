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

}  // namespace

void require_json_body(const request& req) {
  std::optional<std::string_view> header = req.header("Content-Type");
  std::string_view type = header ? trim(header->substr(0, header->find(';'))) : "";
  bool json =
      iequals(type, "application/json") || (type.size() > 5 && type.starts_with("application/") &&
                                            iequals(type.substr(type.size() - 5), "+json"));
  if (!json) {
    throw error(error_kind::unsupported_media_type, "unsupported_media_type",
                "The body must be JSON, sent with Content-Type: application/json.");
  }
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
