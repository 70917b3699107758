// Records web vitals as Prometheus histograms, keel_web_vital_<name>, labelled by rating and
// route; nothing is written anywhere else.
#pragma once
#include <array>
#include <vector>

#include "core/metrics/registry.hpp"
#include "core/web_vitals/dto.hpp"
#include "core/web_vitals/route_patterns.hpp"
#include "core/web_vitals/settings.hpp"

namespace keel::web_vitals {

class recorder {
 public:
  recorder(metrics::registry& registry, const settings& cfg);

  // Each report into its vital's histogram, in seconds (CLS as sent). The reports are valid
  // (decode_reports checked them).
  void record(const std::vector<vital_report>& reports);

  // The route label of a page path: a configured pattern or "other".
  std::string_view route_of(std::string_view path) const { return routes_.match(path); }

 private:
  route_patterns routes_;
  // LCP, INP, CLS, FCP, TTFB, in that order.
  std::array<metrics::histogram_family*, 5> vitals_{};
};

}  // namespace keel::web_vitals
