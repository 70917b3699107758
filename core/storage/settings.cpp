// The storage variables; a bucket without its endpoint, region or keys is reported with the
// other problems.
#include "core/storage/settings.hpp"

#include <stdexcept>

#include "core/storage/bucket.hpp"

namespace keel::storage {

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"S3_BUCKET", &s::bucket, "", false, false,
               "Bucket for uploads; unset: storage is off and upload routes answer 503"},
              {"S3_ENDPOINT", &s::endpoint, "", false, false,
               "S3-compatible endpoint, e.g. https://nyc3.digitaloceanspaces.com"},
              {"S3_REGION", &s::region, "", false, false, "Signing region, e.g. nyc3"},
              {"S3_ACCESS_KEY_ID", &s::access_key_id, "", false, false, "Access key id"},
              {"S3_SECRET_ACCESS_KEY", &s::secret_access_key, "", false, true, "Secret access key"},
              {"S3_FORCE_PATH_STYLE", &s::force_path_style, "false", false, false,
               "true: endpoint/bucket/key URLs (local servers); false: bucket.endpoint/key"},
              {"S3_PUBLIC_BASE_URL", &s::public_base_url, "", false, false,
               "CDN origin public objects (avatars) are served from; unset: presigned GETs"},
              {"UPLOAD_URL_TTL", &s::upload_url_ttl, "15m", false, false,
               "How long a presigned upload URL stays valid"},
              {"S3_THREADS", &s::threads, "4", false, false,
               "Storage requests keel makes at once (each holds a thread)", 1, 64},
          },
      .check =
          [](settings& s, const runtime::settings&, runtime::problem_list& problems) {
            if (!s.configured()) return;
            for (auto [name, value] :
                 {std::pair{"S3_ENDPOINT", &s.endpoint}, std::pair{"S3_REGION", &s.region},
                  std::pair{"S3_ACCESS_KEY_ID", &s.access_key_id},
                  std::pair{"S3_SECRET_ACCESS_KEY", &s.secret_access_key}}) {
              if (value->empty())
                problems.push_back(std::string(name) + " is required with S3_BUCKET");
            }
            if (s.endpoint.empty() || s.region.empty()) return;
            try {
              storage::bucket check(s);
            } catch (const std::invalid_argument& e) {
              problems.emplace_back(e.what());
            }
          },
  };
  return d;
}

}  // namespace keel::storage
