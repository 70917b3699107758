// Entity tags and If-None-Match.
#include "core/http/conditional.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

#include "core/http/request.hpp"
#include "core/runtime/hex.hpp"

namespace keel::http {
namespace {

// `"` + text + `"`, appended rather than built with operator+ (GCC 12 warns -Wrestrict on
// "literal" + std::string&&, a false positive).
std::string quoted(std::string_view text) {
  std::string tag;
  tag.reserve(text.size() + 2);
  tag += '"';
  tag += text;
  tag += '"';
  return tag;
}

// A tag without its weakness prefix: W/"x" and "x" match weakly.
std::string_view opaque(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

std::string etag_of_version(std::int64_t version) {
  return quoted(std::to_string(version));
}

std::optional<std::int64_t> version_of_etag(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  if (tag.size() < 3 || tag.front() != '"' || tag.back() != '"') return std::nullopt;
  tag = tag.substr(1, tag.size() - 2);
  std::int64_t v = 0;
  for (char c : tag) {
    if (c < '0' || c > '9' || v > 1'000'000'000'000) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string etag_of_content(std::string_view body) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  std::array<unsigned char, crypto_hash_sha256_BYTES> hash;
  crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(body.data()), body.size());
  // 128 bits name a body well enough; the tag stays short.
  return quoted(hex::encode({reinterpret_cast<const char*>(hash.data()), 16}));
}

bool not_modified(const request& req, std::string_view etag) {
  auto none = req.header("If-None-Match");
  if (!none) return false;
  std::string_view list = *none;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view tag = list.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag == "*" || (!tag.empty() && opaque(tag) == opaque(etag))) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

response conditional_json(const request& req, std::string body, const std::string& etag,
                          std::string cache_control) {
  response res;
  if (not_modified(req, etag)) {
    res.status = 304;
    res.content_type.clear();
  } else {
    res.body = std::move(body);
  }
  res.with_header("ETag", etag);
  res.with_header("Cache-Control", std::move(cache_control));
  return res;
}

}  // namespace keel::http
