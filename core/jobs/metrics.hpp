// The worker's metrics: jobs by kind and outcome, run time, and queue depth by state.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/metrics/registry.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
}

namespace keel::jobs {

class job_metrics {
 public:
  // Depth gauges exist for every queue in `queues` and every unfinished state.
  job_metrics(metrics::registry& registry, const std::vector<std::string>& queues);

  void started(std::string_view kind);
  void completed(std::string_view kind, double seconds);
  void failed(std::string_view kind, double seconds);  // an attempt failed (it may retry)
  void discarded(std::string_view kind);

  // Reads the depth from the database; call before rendering a scrape (the gauges show the
  // last values read, so a scrape costs one GROUP BY, not one per gauge).
  async<void> refresh_depth(db::pool& db);

 private:
  metrics::counter_family& started_;
  metrics::counter_family& completed_;
  metrics::counter_family& failed_;
  metrics::counter_family& discarded_;
  metrics::histogram_family& duration_;
  // (queue, state) -> jobs; shared with the gauge callbacks.
  std::shared_ptr<std::map<std::pair<std::string, std::string>, std::atomic<double>>> depth_;
};

}  // namespace keel::jobs
