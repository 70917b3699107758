// One bucket's addresses: object URLs in path or virtual-hosted style, presigned PUT and GET
// URLs for clients, and public (CDN) URLs. No I/O: see s3_client.hpp for requests keel makes.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/storage/options.hpp"
#include "core/storage/sigv4.hpp"

namespace keel::storage {

// What a client needs to upload one object itself: PUT `url` with exactly `headers`.
struct presigned_upload {
  std::string url;
  name_values headers;  // Content-Type and Content-Length: signed, so the storage enforces them
  sys_seconds expires_at;
};

class bucket {
 public:
  // Throws std::invalid_argument naming what is wrong with the endpoint.
  explicit bucket(options o);

  const options& settings() const { return options_; }

  // The request to sign for `key`: host and encoded-later path, by addressing style.
  request_to_sign request_for(std::string_view method, std::string_view key) const;
  // scheme://host + the request's path, percent-encoded as signed.
  std::string url_of(const request_to_sign& r) const;

  presigned_upload presign_put(std::string_view key, std::string_view content_type,
                               std::uint64_t byte_length, sys_seconds now) const;
  std::string presign_get(std::string_view key, sys_seconds now, std::chrono::seconds ttl) const;
  // S3_PUBLIC_BASE_URL + "/" + key, or "" when no public base is configured.
  std::string public_url(std::string_view key) const;

  const credentials& signer() const { return credentials_; }

 private:
  options options_;
  credentials credentials_;
  std::string scheme_;  // "http" or "https"
  std::string host_;    // endpoint host[:port]
};

}  // namespace keel::storage
