// Web vitals: what a browser's beacon reports (one report, or an array of them).
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/dto/rules.hpp"

namespace keel::web_vitals {

// The most reports one request may carry.
inline constexpr std::size_t max_reports = 20;

// One measurement, as the web-vitals library reports it: LCP, INP, FCP and TTFB in
// milliseconds, CLS unitless.
struct vital_report {
  static constexpr std::string_view schema_name = "WebVital";
  std::string name;
  double value = 0;
  std::string rating;
  std::string path;
  std::optional<std::string> navigation_type;
};
BOOST_DESCRIBE_STRUCT(vital_report, (), (name, value, rating, path, navigation_type))

constexpr auto keel_rules(const vital_report*) {
  using namespace keel::dto;
  return rules(field("name").one_of("LCP", "INP", "CLS", "FCP", "TTFB"),
               // An hour in milliseconds: past that it is a broken clock, and one such value would
               // skew the histogram's sum for the life of the process.
               field("value")
                   .range(0, 3'600'000)
                   .description("Milliseconds for LCP, INP, FCP and TTFB; unitless for CLS"),
               field("rating").one_of("good", "needs-improvement", "poor"),
               field("path").length(1, 2048).description(
                   "The page's path; matched against WEB_VITALS_ROUTES, query ignored"),
               field("navigation_type").max_length(64));
}

// The body's reports: one object or an array of at most max_reports. Throws
// keel::validation_failed naming each field ("[3].value"), keel::bad_request for a body that
// is neither an object nor an array.
std::vector<vital_report> decode_reports(const boost::json::value& body);

// The request body's JSON Schema (one report or an array of them), for the OpenAPI document.
boost::json::value reports_schema();

}  // namespace keel::web_vitals
