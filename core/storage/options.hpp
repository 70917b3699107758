// Where the bucket is and how to sign for it: the storage settings every program shares.
#pragma once
#include <chrono>
#include <string>

namespace keel::storage {

struct options {
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
};

}  // namespace keel::storage
