// The vitals' histograms: buckets dense around each vital's good and poor thresholds
// (web.dev: LCP 2.5 s / 4 s, INP 200 ms / 500 ms, CLS 0.1 / 0.25, FCP 1.8 s / 3 s,
// TTFB 0.8 s / 1.8 s), so a dashboard can read the share of good and poor from the buckets.
#include "core/web_vitals/recorder.hpp"

#include <string_view>

namespace keel::web_vitals {
namespace {

struct vital {
  std::string_view name;    // as clients send it
  std::string_view metric;  // the histogram's name
  std::string_view help;
  bool milliseconds;           // sent in ms, recorded in seconds
  std::vector<double> bounds;  // upper bounds, in the recorded unit
};

const std::array<vital, 5>& vitals() {
  static const std::array<vital, 5> table{{
      {"LCP",
       "keel_web_vital_lcp_seconds",
       "Largest Contentful Paint reported by browsers",
       true,
       {0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, 10, 15, 20}},
      {"INP",
       "keel_web_vital_inp_seconds",
       "Interaction to Next Paint reported by browsers",
       true,
       {0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2, 5}},
      {"CLS",
       "keel_web_vital_cls",
       "Cumulative Layout Shift reported by browsers (unitless)",
       false,
       {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1}},
      {"FCP",
       "keel_web_vital_fcp_seconds",
       "First Contentful Paint reported by browsers",
       true,
       {0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.8, 2.2, 2.6, 3, 4, 6, 10}},
      {"TTFB",
       "keel_web_vital_ttfb_seconds",
       "Time to First Byte reported by browsers",
       true,
       {0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1, 1.2, 1.5, 1.8, 2.5, 4, 8}},
  }};
  return table;
}

}  // namespace

recorder::recorder(metrics::registry& registry, const settings& cfg) : routes_(cfg.routes) {
  for (std::size_t i = 0; i < vitals().size(); ++i) {
    const vital& v = vitals()[i];
    vitals_[i] = &registry.add_histogram(std::string(v.metric), std::string(v.help),
                                         {"rating", "route"}, v.bounds);
  }
}

void recorder::record(const std::vector<vital_report>& reports) {
  for (const auto& report : reports) {
    for (std::size_t i = 0; i < vitals().size(); ++i) {
      const vital& v = vitals()[i];
      if (report.name != v.name) continue;
      // with() takes the family's lock; a beacon holds at most 20 reports and is rate limited.
      vitals_[i]
          ->with({report.rating, route_of(report.path)})
          .observe(v.milliseconds ? report.value / 1000.0 : report.value);
    }
  }
}

}  // namespace keel::web_vitals
