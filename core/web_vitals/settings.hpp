// Which page routes web vitals are labelled by (WEB_VITALS_ROUTES).
#pragma once
#include <string>
#include <vector>

#include "core/runtime/config.hpp"

namespace keel::web_vitals {

struct settings {
  // Patterns, first match wins; any other path is labelled "other" (route_patterns.hpp).
  std::vector<std::string> routes;

  static const runtime::declaration<settings>& declared();
};

}  // namespace keel::web_vitals
