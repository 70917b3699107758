// libcurl's one-time initialisation (see curl.hpp).
#include "core/runtime/curl.hpp"

#include <mutex>
#include <stdexcept>

namespace keel::runtime {

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl failed to initialise");
    }
  });
}

}  // namespace keel::runtime
