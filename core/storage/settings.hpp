// Where the bucket is and how to sign for it (S3_*): the storage settings keel-api and
// keel-worker read. Without S3_BUCKET storage is off and the upload routes answer 503.
#pragma once
#include <chrono>
#include <string>

#include "core/runtime/config.hpp"

namespace keel::storage {

struct settings {
  std::string endpoint;  // "https://nyc3.digitaloceanspaces.com", "http://127.0.0.1:4568"
  std::string region;    // signing region: "nyc3", "us-east-1"
  std::string bucket;    // empty: storage is not configured
  std::string access_key_id;
  std::string secret_access_key;  // secret: never logged
  bool force_path_style = false;  // endpoint/bucket/key rather than bucket.endpoint/key
  std::string public_base_url;    // CDN origin for public objects ("" → none)
  std::chrono::seconds upload_url_ttl{15 * 60};
  std::chrono::milliseconds request_timeout{30'000};
  int threads = 4;  // blocking transfers at once (libcurl's easy API)

  bool configured() const { return !bucket.empty(); }

  static const runtime::declaration<settings>& declared();
};

}  // namespace keel::storage
