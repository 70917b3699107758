// The job queue's settings: how keel-worker runs jobs (WORKER_*), and how long keel-cron's
// jobs.prune keeps finished ones (JOBS_RETAIN_*).
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "core/runtime/config.hpp"

namespace keel::jobs {

struct worker_settings {
  std::chrono::milliseconds poll_interval{1000};
  std::vector<std::string> queues;  // "name:concurrency" entries, checked by parse_queues
  std::chrono::milliseconds shutdown_grace{30000};
  std::chrono::milliseconds lease{30000};
  int metrics_port = 0;  // 0: no /metrics

  static const runtime::declaration<worker_settings>& declared();
};

struct retention_settings {
  std::chrono::milliseconds keep_completed{24 * 3'600'000};
  std::chrono::milliseconds keep_discarded{14 * 86'400'000LL};

  static const runtime::declaration<retention_settings>& declared();
};

}  // namespace keel::jobs
