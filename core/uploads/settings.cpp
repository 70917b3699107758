// The upload quota variables.
#include "core/uploads/settings.hpp"

namespace keel::uploads {

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"UPLOAD_DAILY_COUNT", &s::daily_count, "100", false, false,
               "Uploads one user may start in a day (then 429 upload_quota_exceeded)", 1,
               1'000'000},
              {"UPLOAD_DAILY_BYTES", &s::daily_bytes, "524288000", false, false,
               "Bytes one user may declare for upload in a day", 1, 1LL << 40},
          },
  };
  return d;
}

}  // namespace keel::uploads
