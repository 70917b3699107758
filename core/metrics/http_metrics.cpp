// Registers the HTTP series and caches their children per event loop.
#include "core/metrics/http_metrics.hpp"

namespace keel::metrics {
namespace {

counter_family& requests_family(registry& r) {
  // Registering again returns the family already there, so read() finds the server's own.
  return r.add_counter("keel_http_requests_total", "HTTP requests answered.",
                       {"route", "method", "status"});
}

}  // namespace

http_metrics::http_metrics(registry& r)
    : requests_(requests_family(r)),
      duration_(r.add_histogram("keel_http_request_duration_seconds",
                                "Time from a request's headers to its response, in seconds.",
                                {"route", "method"})) {}

http_metrics::totals http_metrics::read(registry& r) {
  totals out;
  requests_family(r).for_each([&](const std::vector<std::string>& labels, const counter& c) {
    auto n = c.value();
    out.requests += n;
    if (labels.size() == 3 && !labels[2].empty() && labels[2][0] == '5') out.errors_5xx += n;
  });
  return out;
}

void http_metrics::recorder::record(std::string_view route, std::string_view method, int status,
                                    double seconds) {
  key_.assign(route);
  key_ += ' ';
  key_ += method;
  key_ += ' ';
  char digits[3] = {static_cast<char>('0' + status / 100 % 10),
                    static_cast<char>('0' + status / 10 % 10),
                    static_cast<char>('0' + status % 10)};
  key_.append(digits, 3);
  auto it = cache_.find(key_);
  if (it == cache_.end()) {
    std::string status_text(digits, 3);
    series s{&metrics_->requests_.with({route, method, status_text}),
             &metrics_->duration_.with({route, method})};
    it = cache_.emplace(key_, s).first;
  }
  it->second.requests->inc();
  it->second.duration->observe(seconds);
}

}  // namespace keel::metrics
