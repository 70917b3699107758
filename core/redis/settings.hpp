// The Redis setting (REDIS_URL): optional; without it every Redis use falls back to an
// in-process implementation that is correct for one instance.
#pragma once
#include <string>

#include "core/redis/client.hpp"
#include "core/runtime/config.hpp"

namespace keel::redis {

struct settings {
  std::string url;  // empty: no Redis; secret: it may hold a password

  bool configured() const { return !url.empty(); }
  static const runtime::declaration<settings>& declared();
};

options options_from(const settings& s);

}  // namespace keel::redis
