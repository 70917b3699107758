// SMTP delivery through libcurl; its easy API blocks, so each send runs on a small thread pool.
#include <fmt/format.h>

#include <cstring>
#include <functional>

#include "core/mail/transport.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "core/runtime/curl.hpp"
#include "core/runtime/log.hpp"

namespace keel::mail {
namespace {

struct url_cleanup {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

// One part of a parsed URL; empty when the URL has none.
std::string url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK || value == nullptr) return {};
  std::string s = value;
  curl_free(value);
  return s;
}

// Checks SMTP_URL and returns "smtp://host:port", the form that may appear in logs and
// errors. The URL itself never does: its userinfo holds the SMTP credentials.
std::string redacted_url(const std::string& url) {
  std::unique_ptr<CURLU, url_cleanup> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    throw std::invalid_argument("SMTP_URL is not a valid URL");
  }
  std::string scheme = url_part(u.get(), CURLUPART_SCHEME);
  if (scheme != "smtp" && scheme != "smtps") {
    throw std::invalid_argument("SMTP_URL must start with smtp:// or smtps://");
  }
  std::string host = url_part(u.get(), CURLUPART_HOST);
  if (host.empty()) throw std::invalid_argument("SMTP_URL has no host");
  return scheme + "://" + host + ":" + url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
}

// libcurl pulls the message through this; it does the dot-stuffing and the final ".".
std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* rest = static_cast<std::string_view*>(user);
  std::size_t n = std::min(size * count, rest->size());
  std::memcpy(buffer, rest->data(), n);
  rest->remove_prefix(n);
  return n;
}

// One SMTP conversation: EHLO, STARTTLS when offered, AUTH when the URL has credentials,
// MAIL FROM, RCPT TO, DATA. Blocks for at most options.timeout.
void perform(const smtp_options& options, const std::string& server, const std::string& to,
             std::string_view data) {
  runtime::curl_easy curl(curl_easy_init());
  if (!curl) throw delivery_error("libcurl could not create a transfer", false);
  runtime::curl_list recipients(curl_slist_append(nullptr, ("<" + to + ">").c_str()));
  std::string sender = "<" + options.from.address + ">";
  char details[CURL_ERROR_SIZE] = "";

  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, options.url.c_str());
  // SMTP_URL comes from the environment, but nothing else should ever be fetched through it.
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt(c, CURLOPT_READDATA, &data);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  // Signals are the process's (graceful shutdown); libcurl must not use SIGALRM for timeouts.
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, details);

  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return;
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  bool permanent = reply >= 500 && reply < 600 && rc != CURLE_LOGIN_DENIED;
  std::string message = fmt::format("SMTP delivery via {} failed: {}", server,
                                    details[0] != '\0' ? details : curl_easy_strerror(rc));
  if (reply > 0) message += fmt::format(" (server replied {})", reply);
  throw delivery_error(std::move(message), permanent);
}

class smtp_transport final : public transport {
 public:
  smtp_transport(smtp_options options, std::string server)
      : options_(std::move(options)), server_(std::move(server)), pool_(options_.threads) {}

  async<void> send(const stored_message& m) override {
    std::string data = render(m, options_.from);
    std::function<void()> work = [&] { perform(options_, server_, m.content.to, data); };
    co_await pool_.run(work);
  }

  std::string_view name() const override { return "smtp"; }

 private:
  smtp_options options_;
  std::string server_;           // the redacted URL
  runtime::blocking_pool pool_;  // unbounded: the worker's queue concurrency bounds the sends
};

}  // namespace

void check_smtp_url(const std::string& url) {
  redacted_url(url);
}

std::unique_ptr<transport> make_smtp_transport(smtp_options options) {
  runtime::init_curl();
  std::string server = redacted_url(options.url);
  if (options.threads < 1) options.threads = 1;
  log::info("mail transport: smtp", {{"server", server}});
  return std::make_unique<smtp_transport>(std::move(options), std::move(server));
}

}  // namespace keel::mail
