// AWS Signature Version 4 for S3-compatible storage: signed request headers and presigned URLs.
// Pure functions of the request, the credentials and the time, so they are tested against
// AWS's published examples and against the AWS SDK's presigner byte for byte.
#pragma once
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keel::storage {

struct credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;          // "us-east-1", "nyc3" (Spaces), ...
  std::string service = "s3";  // signing scope; S3 does not double-encode paths
};

using name_values = std::vector<std::pair<std::string, std::string>>;

// One HTTP request, as it goes on the wire but with its path and query not yet encoded.
struct request_to_sign {
  std::string method;   // "GET", "PUT", ...
  std::string host;     // the Host header: "bucket.nyc3.digitaloceanspaces.com", "127.0.0.1:4568"
  std::string path;     // "/bucket/uploads/a b.png": encoded here, '/' kept
  name_values query;    // decoded names and values
  name_values headers;  // headers to sign besides Host (any case; values trimmed here)
  // Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" (presigned URLs, streamed bodies).
  std::string payload_hash = "UNSIGNED-PAYLOAD";
};

using sys_seconds = std::chrono::sys_seconds;

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, every other byte
// %XX in upper-case hex; '/' kept only when `keep_slash` (paths).
std::string uri_encode(std::string_view text, bool keep_slash);

// "20130524T000000Z".
std::string amz_date(sys_seconds t);

// The canonical request of SigV4's first step (exposed for tests and fuzzing).
std::string canonical_request(const request_to_sign& r);

// The hex signature of `canonical_request` made at `date_time` (amz_date form): SigV4's
// string to sign and derived key (exposed for the published test vectors).
std::string signature(const credentials& c, std::string_view date_time,
                      std::string_view canonical_request);

// The headers to send with `r` so that the storage accepts it: Authorization, x-amz-date and
// x-amz-content-sha256 (the caller adds Host and the headers it put in `r.headers`).
name_values sign_headers(const request_to_sign& r, const credentials& c, sys_seconds now);

// The query string (without '?') of a presigned URL for `r`, valid for `expires` from `now`:
// r.query plus the X-Amz-* parameters and the signature. Headers in r.headers are signed, so
// the client must send them with exactly those values (how a PUT binds its Content-Type and
// Content-Length).
std::string presign_query(const request_to_sign& r, const credentials& c, sys_seconds now,
                          std::chrono::seconds expires);

// Lower-case hex SHA-256 of `bytes` (a body's payload hash).
std::string sha256_hex(std::string_view bytes);

}  // namespace keel::storage
