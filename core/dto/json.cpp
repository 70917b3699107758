// Parsing a body: any parse failure is the client's malformed input, never a server error.
#include "core/dto/json.hpp"

#include <boost/json/parse.hpp>

namespace keel::dto {

boost::json::value parse_json(std::string_view text) {
  if (text.empty())
    throw bad_request("The body is empty; a JSON object is expected.", "malformed_json");
  boost::system::error_code ec;
  // Default limits apply: nesting deeper than 32 levels is rejected rather than recursed into.
  boost::json::value v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec) throw bad_request("The body is not valid JSON: " + ec.message() + ".", "malformed_json");
  return v;
}

}  // namespace keel::dto
