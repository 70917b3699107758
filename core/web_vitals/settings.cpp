// The web vitals variables and the checks on the route patterns.
#include "core/web_vitals/settings.hpp"

#include <fmt/format.h>

#include "core/web_vitals/route_patterns.hpp"

namespace keel::web_vitals {

// Each pattern is a label value of five histograms, three ratings each: keep it a short list.
inline constexpr std::size_t max_routes = 100;

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"WEB_VITALS_ROUTES", &s::routes,
               "/,/templates,/templates/:slug,/rules/:id,/create/*", false, false,
               "Comma-separated page routes web vitals are labelled by (:param one segment, * the "
               "rest); other paths are labelled other"},
          },
      .check =
          [](settings& s, const runtime::settings&, runtime::problem_list& problems) {
            if (s.routes.size() > max_routes) {
              problems.push_back(
                  fmt::format("WEB_VITALS_ROUTES lists {} patterns; at most {} are allowed",
                              s.routes.size(), max_routes));
            }
            for (const auto& pattern : s.routes) {
              if (auto why = route_patterns::problem(pattern)) {
                problems.push_back(fmt::format("WEB_VITALS_ROUTES pattern {:?} {}", pattern, *why));
              }
            }
          },
  };
  return d;
}

}  // namespace keel::web_vitals
