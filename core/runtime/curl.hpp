// libcurl's process-wide set-up and owning handles, for the features that make transfers
// (mail over SMTP, storage over HTTP). Include only in sources: it pulls in curl/curl.h.
#pragma once
#include <curl/curl.h>

#include <memory>

namespace keel::runtime {

// curl_global_init is not thread-safe on every libcurl build: call this before any transfer.
void init_curl();

struct curl_easy_cleanup_fn {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct curl_slist_cleanup_fn {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

using curl_easy = std::unique_ptr<CURL, curl_easy_cleanup_fn>;
using curl_list = std::unique_ptr<curl_slist, curl_slist_cleanup_fn>;

}  // namespace keel::runtime
