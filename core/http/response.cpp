// Response constructors and header lookup.
#include "core/http/response.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace keel::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

response response::json(const boost::json::value& body, int status) {
  response r;
  r.status = status;
  r.body = boost::json::serialize(body);
  return r;
}

response response::text(std::string body, std::string content_type, int status) {
  response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

response response::no_content() {
  response r;
  r.status = 204;
  r.content_type.clear();  // a 204 has no body, so no Content-Type either
  return r;
}

const std::string* response::find_header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return &value;
  }
  return nullptr;
}

}  // namespace keel::http
