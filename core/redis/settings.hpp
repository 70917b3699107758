// The Redis settings (REDIS_URL, REDIS_CA_FILE): optional; without REDIS_URL every Redis use
// falls back to an in-process implementation that is correct for one instance.
#pragma once
#include <string>

#include "core/redis/client.hpp"
#include "core/runtime/config.hpp"

namespace keel::redis {

struct settings {
  std::string url;      // empty: no Redis; secret: it may hold a password
  std::string ca_file;  // rediss:// only; empty: the system's CA store

  bool configured() const { return !url.empty(); }
  static const runtime::declaration<settings>& declared();
};

options options_from(const settings& s);

}  // namespace keel::redis
