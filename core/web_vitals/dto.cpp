// Decoding a beacon's reports, one object or an array, with every field problem at its path.
#include "core/web_vitals/dto.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/dto/json.hpp"
#include "core/dto/schema.hpp"
#include "core/runtime/error.hpp"

namespace keel::web_vitals {

std::vector<vital_report> decode_reports(const boost::json::value& body) {
  std::vector<vital_report> out;
  dto::problems found;
  if (body.is_object()) {
    out.emplace_back();
    dto::detail::read_json(body, out.back(), found);
  } else if (const auto* reports = body.if_array()) {
    // Refused before any element is read, as a DTO's max_items is.
    if (reports->size() > max_reports) {
      found.add("must hold at most " + std::to_string(max_reports) + " reports");
    } else {
      dto::detail::read_json(body, out, found);
    }
  } else {
    throw bad_request("The body must be a JSON object or an array of them.", "body_not_object");
  }
  found.throw_if_any();
  return out;
}

boost::json::value reports_schema() {
  dto::schema_registry registry("#/$defs/");
  boost::json::value one = dto::schema_of<vital_report>(registry);
  boost::json::object many{
      {"type", "array"}, {"items", one}, {"maxItems", static_cast<std::int64_t>(max_reports)}};
  boost::json::value schema = boost::json::object{
      {"oneOf", boost::json::array{one, std::move(many)}},
      {"description", "One report, or up to 20 (navigator.sendBeacon may send text/plain)"}};
  return dto::detail::with_defs(std::move(schema), registry);
}

}  // namespace keel::web_vitals
