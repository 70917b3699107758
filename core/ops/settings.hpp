// Operations signals' settings: when the admin status says degraded (JOBS_ALERT_DISCARDED),
// how often keel-api reports its counts (OPS_SAMPLE_INTERVAL), and keel-worker's alert hook
// (ALERT_*).
#pragma once
#include <chrono>
#include <string>

#include "core/runtime/config.hpp"

namespace keel::ops {

// keel-api and keel-worker.
struct settings {
  int jobs_alert_discarded = 10;  // discarded in the last hour; more is degraded
  std::chrono::milliseconds sample_interval{30000};

  static const runtime::declaration<settings>& declared();
};

// keel-worker only: it posts the alerts.
struct alert_settings {
  std::string webhook_url;  // empty: no alerts
  std::chrono::milliseconds interval{15 * 60'000};
  std::chrono::milliseconds check_interval{60'000};
  int error_rate_percent = 5;  // of keel-api's answers that are 5xx over the last 5 minutes
  int pool_timeouts = 10;      // connection waits that gave up over the last 5 minutes

  bool configured() const { return !webhook_url.empty(); }
  static const runtime::declaration<alert_settings>& declared();
};

}  // namespace keel::ops
