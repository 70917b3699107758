// The rate-limit switch (RATE_LIMITS): on everywhere but in load tests.
#pragma once
#include "core/runtime/config.hpp"

namespace keel::ratelimit {

struct settings {
  bool enabled = true;

  static const runtime::declaration<settings>& declared();
};

}  // namespace keel::ratelimit
