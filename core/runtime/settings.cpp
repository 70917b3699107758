// The variables every program reads: APP_ENV, LOG_LEVEL, LOG_FORMAT.
#include "core/runtime/settings.hpp"

#include <fmt/format.h>

namespace keel::runtime {

const declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"APP_ENV", &s::app_env, "development", false, false,
               "development or production (production refuses development-only settings)"},
              {"LOG_LEVEL", &s::log_level, "info", false, false, "debug, info, warn or error"},
              {"LOG_FORMAT", &s::log_format, "json", false, false,
               "json (one object per line) or pretty (for humans)"},
          },
      .check =
          [](settings& s, const settings&, problem_list& problems) {
            if (s.app_env != "development" && s.app_env != "production") {
              problems.push_back(
                  fmt::format("APP_ENV={:?} must be development or production", s.app_env));
            }
            if (s.log_level != "debug" && s.log_level != "info" && s.log_level != "warn" &&
                s.log_level != "error") {
              problems.push_back(
                  fmt::format("LOG_LEVEL={:?} must be debug, info, warn or error", s.log_level));
            }
            if (s.log_format != "json" && s.log_format != "pretty") {
              problems.push_back(
                  fmt::format("LOG_FORMAT={:?} must be json or pretty", s.log_format));
            }
          },
  };
  return d;
}

namespace detail {

const settings& default_common() {
  static const settings defaults;
  return defaults;
}

}  // namespace detail
}  // namespace keel::runtime
