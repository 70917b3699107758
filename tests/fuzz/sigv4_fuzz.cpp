// SigV4 over what a client can put in a signed request (an upload's key, type and length; any
// header or query a future route signs): the canonical request, the signed headers and the
// presigned URLs of the bucket. Fields are the input split at NUL bytes.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/storage/bucket.hpp"
#include "core/storage/sigv4.hpp"

namespace {

using namespace keel::storage;

// The input's NUL-separated fields, as many as it has.
std::vector<std::string_view> fields_of(std::string_view text) {
  std::vector<std::string_view> out;
  for (;;) {
    auto nul = text.find('\0');
    out.push_back(text.substr(0, nul));
    if (nul == std::string_view::npos) return out;
    text.remove_prefix(nul + 1);
  }
}

const bucket& spaces() {
  static const bucket b{[] {
    settings s;
    s.bucket = "keel-fuzz";
    s.endpoint = "https://nyc3.digitaloceanspaces.com";
    s.region = "nyc3";
    s.access_key_id = "AKIDEXAMPLE";
    s.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    return s;
  }()};
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto f = fields_of({reinterpret_cast<const char*>(data), size});
  auto at = [&](std::size_t i) { return i < f.size() ? f[i] : std::string_view{}; };

  // Fields 0-2: method, host, path; then name/value pairs, query pairs before the first
  // empty name and headers after it.
  request_to_sign r{
      .method = std::string(at(0)), .host = std::string(at(1)), .path = std::string(at(2))};
  bool headers = false;
  for (std::size_t i = 3; i + 1 < f.size(); i += 2) {
    if (f[i].empty()) headers = true;
    (headers ? r.headers : r.query).emplace_back(f[i], f[i + 1]);
  }
  const sys_seconds now{std::chrono::seconds(1'700'000'000)};
  std::string canonical = canonical_request(r);
  // Whatever the fields hold, the canonical request ends with the payload hash's line.
  if (!canonical.ends_with("\n" + r.payload_hash)) std::abort();
  credentials c{"AKIDEXAMPLE", "secret", "us-east-1"};
  (void)signature(c, amz_date(now), canonical);
  (void)sign_headers(r, c, now);
  (void)presign_query(r, c, now, std::chrono::seconds(900));

  // The bucket's presigned URLs, for a key and content type a client chose.
  std::uint64_t length = size;
  auto put = spaces().presign_put(at(2), at(1), length, now);
  if (put.url.find('\n') != std::string::npos || put.url.find(' ') != std::string::npos) {
    std::abort();  // the URL goes into a JSON answer and then a client's request line
  }
  (void)spaces().presign_get(at(2), now, std::chrono::seconds(60));
  (void)uri_encode(at(0), true);
  return 0;
}
