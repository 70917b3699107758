// SigV4 (see sigv4.hpp): canonical request → string to sign → derived key → signature.
#include "core/storage/sigv4.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace keel::storage {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

using digest = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();  // the terminating NUL
  return out;
}

// HMAC-SHA-256 under a key of any length (the first key is "AWS4" + secret).
digest hmac(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes_of(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes_of(data), data.size());
  digest out;
  crypto_auth_hmacsha256_final(&state, out.data());
  return out;
}

std::string_view view(const digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Header values: leading and trailing spaces dropped, inner runs of spaces made one.
std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

struct canonical_headers {
  std::string lines;  // "host:example.com\nx-amz-date:...\n"
  std::string names;  // "host;x-amz-date"
};

canonical_headers headers_of(const request_to_sign& r, const name_values& extra) {
  name_values all = {{"host", r.host}};
  for (const auto& [name, value] : r.headers) all.emplace_back(lower(name), canonical_value(value));
  for (const auto& [name, value] : extra) all.emplace_back(lower(name), canonical_value(value));
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  canonical_headers out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    // Repeated names join their values with commas, in the order given.
    if (i > 0 && all[i].first == all[i - 1].first) {
      out.lines.back() = ',';
      out.lines.append(all[i].second).push_back('\n');
      continue;
    }
    out.lines.append(all[i].first).push_back(':');
    out.lines.append(all[i].second).push_back('\n');
    if (!out.names.empty()) out.names.push_back(';');
    out.names.append(all[i].first);
  }
  return out;
}

std::string query_of(const name_values& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name).push_back('=');
    out.append(value);
  }
  return out;
}

std::string canonical(const request_to_sign& r, const name_values& query,
                      const canonical_headers& h) {
  std::string path = r.path.empty() ? "/" : uri_encode(r.path, true);
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", r.method, path, query_of(query), h.lines, h.names,
                     r.payload_hash);
}

std::string scope_of(const credentials& c, std::string_view date) {
  return fmt::format("{}/{}/{}/aws4_request", date, c.region, c.service);
}

}  // namespace

std::string signature(const credentials& c, std::string_view date_time,
                      std::string_view canonical_request) {
  std::string_view date = date_time.substr(0, 8);
  std::string to_sign = fmt::format("{}\n{}\n{}\n{}", algorithm, date_time, scope_of(c, date),
                                    sha256_hex(canonical_request));
  digest key = hmac("AWS4" + c.secret_access_key, date);
  key = hmac(view(key), c.region);
  key = hmac(view(key), c.service);
  key = hmac(view(key), "aws4_request");
  digest sig = hmac(view(key), to_sign);
  return hex(sig.data(), sig.size());
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xf]);
    }
  }
  return out;
}

std::string amz_date(sys_seconds t) {
  return fmt::format("{:%Y%m%dT%H%M%SZ}", t);
}

std::string sha256_hex(std::string_view bytes) {
  // libsodium wants one sodium_init before use; it is idempotent and thread-safe.
  static const int ready = sodium_init();
  (void)ready;
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, bytes_of(bytes), bytes.size());
  return hex(d, sizeof d);
}

std::string canonical_request(const request_to_sign& r) {
  return canonical(r, r.query, headers_of(r, {}));
}

name_values sign_headers(const request_to_sign& r, const credentials& c, sys_seconds now) {
  std::string date_time = amz_date(now);
  name_values amz = {{"x-amz-content-sha256", r.payload_hash}, {"x-amz-date", date_time}};
  auto h = headers_of(r, amz);
  std::string sig = signature(c, date_time, canonical(r, r.query, h));
  amz.emplace_back("Authorization",
                   fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", algorithm,
                               c.access_key_id, scope_of(c, date_time.substr(0, 8)), h.names, sig));
  return amz;
}

std::string presign_query(const request_to_sign& r, const credentials& c, sys_seconds now,
                          std::chrono::seconds expires) {
  std::string date_time = amz_date(now);
  auto h = headers_of(r, {});
  name_values query = r.query;
  query.emplace_back("X-Amz-Algorithm", std::string(algorithm));
  query.emplace_back("X-Amz-Credential",
                     c.access_key_id + "/" + scope_of(c, date_time.substr(0, 8)));
  query.emplace_back("X-Amz-Date", date_time);
  query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  query.emplace_back("X-Amz-SignedHeaders", h.names);
  std::string sig = signature(c, date_time, canonical(r, query, h));
  return query_of(query) + "&X-Amz-Signature=" + sig;
}

}  // namespace keel::storage
