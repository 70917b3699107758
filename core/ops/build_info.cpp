// The version and commit keel was built from. CMake defines KEEL_VERSION and KEEL_COMMIT for
// this file alone, so a new commit recompiles one file, not the core.
#include "core/ops/dto.hpp"

#ifndef KEEL_VERSION
#define KEEL_VERSION "unknown"
#endif
#ifndef KEEL_COMMIT
#define KEEL_COMMIT "unknown"
#endif

namespace keel::ops {

std::string_view build_version() {
  return KEEL_VERSION;
}

std::string_view build_commit() {
  return KEEL_COMMIT;
}

}  // namespace keel::ops
