// S3 requests over libcurl (see s3_client.hpp). Errors: a missing object is a value (nullopt),
// the storage refusing or failing is keel::unavailable naming the operation and status, never
// the credentials or the signature.
#include "core/storage/s3_client.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <functional>

#include "core/runtime/blocking_pool.hpp"
#include "core/runtime/curl.hpp"
#include "core/runtime/error.hpp"

namespace keel::storage {
namespace {

struct reply {
  long status = 0;
  std::string body;
  name_values headers;  // names in lower case

  std::string header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return {};
  }
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  std::string_view line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    static_cast<name_values*>(user)->emplace_back(std::move(name), std::string(value));
  }
  return size * count;
}

struct upload_source {
  std::string_view rest;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* src = static_cast<upload_source*>(user);
  std::size_t n = std::min(size * count, src->rest.size());
  std::memcpy(buffer, src->rest.data(), n);
  src->rest.remove_prefix(n);
  return n;
}

}  // namespace

struct s3_client::impl {
  const bucket& bucket_;
  runtime::blocking_pool pool_;

  explicit impl(const bucket& b) : bucket_(b), pool_(std::max(1, b.settings().threads)) {}

  // One signed request, blocking: runs on pool_.
  reply perform(request_to_sign r, std::string_view body) const {
    r.payload_hash = sha256_hex(body);
    auto signed_headers = sign_headers(
        r, bucket_.signer(),
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
    runtime::curl_easy curl(curl_easy_init());
    if (!curl) throw unavailable("libcurl could not create a transfer", "storage_unavailable");
    runtime::curl_list list;
    auto add = [&](std::string_view name, std::string_view value) {
      std::string line = fmt::format("{}: {}", name, value);
      list.reset(curl_slist_append(list.release(), line.c_str()));
    };
    for (const auto& [name, value] : r.headers) add(name, value);
    for (const auto& [name, value] : signed_headers) add(name, value);
    add("Expect", "");  // no 100-continue round trip for small bodies

    std::string url = bucket_.url_of(r);
    std::string query;
    for (const auto& [name, value] : r.query) {
      query += query.empty() ? "?" : "&";
      query += uri_encode(name, false) + "=" + uri_encode(value, false);
    }
    url += query;

    reply out;
    upload_source source{body};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.headers);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(bucket_.settings().request_timeout.count()));
    if (r.method == "HEAD") {
      curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (r.method == "PUT") {
      curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(c, CURLOPT_READDATA, &source);
      curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (r.method != "GET") {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    char details[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, details);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
      throw unavailable(fmt::format("storage {} failed: {}", r.method,
                                    details[0] != '\0' ? details : curl_easy_strerror(rc)),
                        "storage_unavailable");
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    return out;
  }

  async<reply> send(request_to_sign r, std::string body = {}) {
    reply out;
    std::function<void()> work = [&] { out = perform(r, body); };
    co_await pool_.run(work);
    co_return out;
  }
};

namespace {

[[noreturn]] void refused(std::string_view what, const std::string& key, long status) {
  throw unavailable(fmt::format("storage {} of {} answered {}", what, key, status),
                    "storage_unavailable");
}

}  // namespace

s3_client::s3_client(const bucket& b) : impl_(std::make_unique<impl>(b)) {
  runtime::init_curl();
}
s3_client::~s3_client() = default;

async<std::optional<object_info>> s3_client::head(const std::string& key) {
  auto r = impl_->bucket_.request_for("HEAD", key);
  reply out = co_await impl_->send(std::move(r));
  if (out.status == 404) co_return std::nullopt;
  if (out.status != 200) refused("HEAD", key, out.status);
  object_info info;
  info.byte_length =
      std::stoull(out.header("content-length").empty() ? "0" : out.header("content-length"));
  info.content_type = out.header("content-type");
  info.etag = out.header("etag");
  co_return info;
}

async<std::optional<std::string>> s3_client::get_range(const std::string& key, std::uint64_t offset,
                                                       std::uint64_t length) {
  auto r = impl_->bucket_.request_for("GET", key);
  if (length == 0) co_return std::string();
  r.headers = {{"Range", fmt::format("bytes={}-{}", offset, offset + length - 1)}};
  reply out = co_await impl_->send(std::move(r));
  if (out.status == 404) co_return std::nullopt;
  if (out.status == 416) co_return std::string();  // the range starts past the end
  if (out.status != 206 && out.status != 200) refused("GET", key, out.status);
  // A server that ignores Range (200) sends the whole object: keep only what was asked.
  if (out.status == 200)
    out.body = out.body.substr(std::min<std::size_t>(offset, out.body.size()), length);
  co_return std::move(out.body);
}

async<void> s3_client::put(const std::string& key, const std::string& body,
                           const std::string& content_type) {
  auto r = impl_->bucket_.request_for("PUT", key);
  r.headers = {{"Content-Type", content_type}};
  reply out = co_await impl_->send(std::move(r), body);
  if (out.status != 200) refused("PUT", key, out.status);
}

async<void> s3_client::remove(const std::string& key) {
  auto r = impl_->bucket_.request_for("DELETE", key);
  reply out = co_await impl_->send(std::move(r));
  if (out.status != 204 && out.status != 200 && out.status != 404) {
    refused("DELETE", key, out.status);
  }
}

async<void> s3_client::copy(const std::string& from_key, const std::string& to_key) {
  auto r = impl_->bucket_.request_for("PUT", to_key);
  r.headers = {{"x-amz-copy-source",
                uri_encode("/" + impl_->bucket_.settings().bucket + "/" + from_key, true)}};
  reply out = co_await impl_->send(std::move(r));
  // CopyObject can fail after a 200 with an <Error> body.
  if (out.status != 200 || out.body.find("<Error>") != std::string::npos) {
    refused("COPY", from_key, out.status);
  }
}

}  // namespace keel::storage
