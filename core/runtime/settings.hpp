// What every program reads: how it logs, and whether it runs in development or production.
#pragma once
#include <string>

#include "core/runtime/config.hpp"

namespace keel::runtime {

struct settings {
  // APP_ENV: "production" in the image and the deploy specs, where features refuse what is
  // only safe on a developer's machine (the log mail transport, say).
  std::string app_env = "development";
  std::string log_level = "info";
  std::string log_format = "json";

  bool production() const { return app_env == "production"; }

  static const declaration<settings>& declared();
};

}  // namespace keel::runtime
