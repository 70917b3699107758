// The alert hook's POST, through libcurl's blocking transfer (run on a blocking pool).
#include <fmt/format.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/ops/signals.hpp"
#include "core/runtime/curl.hpp"
#include "core/runtime/error.hpp"

namespace keel::ops {
namespace {

std::size_t ignore_body(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

// How long a webhook may take: an alert late by this much is still worth sending.
constexpr long webhook_timeout_ms = 10'000;

}  // namespace

void post_webhook(const std::string& url, const std::string& text) {
  runtime::init_curl();
  boost::json::object message;
  message["text"] = text;
  std::string body = boost::json::serialize(message);
  runtime::curl_easy curl(curl_easy_init());
  if (!curl) throw unavailable("libcurl could not create a transfer", "alert_unavailable");
  runtime::curl_list headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ignore_body);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, webhook_timeout_ms);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    // curl_easy_strerror only: the error buffer can quote the URL, which is a credential.
    throw unavailable(fmt::format("webhook failed: {}", curl_easy_strerror(rc)),
                      "alert_unavailable");
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    throw unavailable(fmt::format("webhook answered {}", status), "alert_unavailable");
  }
}

}  // namespace keel::ops
