// The web vitals limit: a page sends a beacon or two per view, so a minute's allowance is
// many views; past it the samples are dropped, which telemetry can afford.
#include "core/web_vitals/limits.hpp"

#include <chrono>

namespace keel::web_vitals {

using std::chrono::minutes;

const std::vector<ratelimit::rule>& rate_limits() {
  static const std::vector<ratelimit::rule> table{
      {"web_vitals_ip", 60, minutes(1)},
  };
  return table;
}

}  // namespace keel::web_vitals
