// The HTTP server's metrics: requests by route, method and status, and latency by route.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/metrics/registry.hpp"

namespace keel::metrics {

class http_metrics {
 public:
  explicit http_metrics(registry& r);

  // Requests answered, and those answered 5xx, since the start over every series of `r`
  // (the alert hook's samples). Locks each family briefly: not for the hot path.
  struct totals {
    std::uint64_t requests = 0;
    std::uint64_t errors_5xx = 0;
  };
  static totals read(registry& r);

  // One per event-loop thread: it caches the labelled series it has seen, so recording a
  // request costs a hash lookup and two relaxed increments, with no lock.
  class recorder {
   public:
    explicit recorder(http_metrics& metrics) : metrics_(&metrics) {}
    // `route` is the route pattern ("/api/v1/templates/{slug}") or "unmatched", never the
    // raw path: the number of series must not grow with what clients send.
    void record(std::string_view route, std::string_view method, int status, double seconds);

   private:
    struct series {
      counter* requests;
      histogram* duration;
    };
    http_metrics* metrics_;
    std::string key_;  // reused so a lookup allocates nothing once warm
    std::unordered_map<std::string, series> cache_;
  };

 private:
  counter_family& requests_;
  histogram_family& duration_;
};

}  // namespace keel::metrics
