// Bucket addressing and presigned URLs (see bucket.hpp).
#include "core/storage/bucket.hpp"

#include <stdexcept>

namespace keel::storage {

bucket::bucket(options o)
    : options_(std::move(o)),
      credentials_{options_.access_key_id, options_.secret_access_key, options_.region} {
  std::string_view e = options_.endpoint;
  auto sep = e.find("://");
  if (sep == std::string_view::npos) {
    throw std::invalid_argument("S3_ENDPOINT must start with http:// or https://");
  }
  scheme_ = std::string(e.substr(0, sep));
  if (scheme_ != "http" && scheme_ != "https") {
    throw std::invalid_argument("S3_ENDPOINT must start with http:// or https://");
  }
  std::string_view rest = e.substr(sep + 3);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos) {
    throw std::invalid_argument("S3_ENDPOINT must be scheme://host[:port] without a path");
  }
  host_ = std::string(rest);
  if (options_.region.empty()) throw std::invalid_argument("S3_REGION is required with S3_BUCKET");
}

request_to_sign bucket::request_for(std::string_view method, std::string_view key) const {
  request_to_sign r{.method = std::string(method)};
  if (options_.force_path_style) {
    r.host = host_;
    r.path = "/" + options_.bucket + "/" + std::string(key);
  } else {
    r.host = options_.bucket + "." + host_;
    r.path = "/" + std::string(key);
  }
  return r;
}

std::string bucket::url_of(const request_to_sign& r) const {
  return scheme_ + "://" + r.host + uri_encode(r.path, true);
}

presigned_upload bucket::presign_put(std::string_view key, std::string_view content_type,
                                     std::uint64_t byte_length, sys_seconds now) const {
  auto r = request_for("PUT", key);
  r.headers = {{"Content-Length", std::to_string(byte_length)},
               {"Content-Type", std::string(content_type)}};
  auto ttl = options_.upload_url_ttl;
  return {url_of(r) + "?" + presign_query(r, credentials_, now, ttl), r.headers, now + ttl};
}

std::string bucket::presign_get(std::string_view key, sys_seconds now,
                                std::chrono::seconds ttl) const {
  auto r = request_for("GET", key);
  return url_of(r) + "?" + presign_query(r, credentials_, now, ttl);
}

std::string bucket::public_url(std::string_view key) const {
  if (options_.public_base_url.empty()) return {};
  std::string base = options_.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + uri_encode(key, true);
}

}  // namespace keel::storage
