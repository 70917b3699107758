// The upload quotas keel-api enforces per user and day (UPLOAD_DAILY_*).
#pragma once
#include <cstddef>

#include "core/runtime/config.hpp"

namespace keel::uploads {

struct settings {
  int daily_count = 100;                        // uploads a user may start per day
  std::size_t daily_bytes = 500 * 1024 * 1024;  // bytes a user may declare per day

  static const runtime::declaration<settings>& declared();
};

}  // namespace keel::uploads
