// The operations signals' variables.
#include "core/ops/settings.hpp"

namespace keel::ops {

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              // name, field, default, required, secret, description, min, max
              {"JOBS_ALERT_DISCARDED", &s::jobs_alert_discarded, "10", false, false,
               "Jobs discarded in the last hour above which the admin status is degraded "
               "and keel-worker alerts",
               0, 1'000'000'000},
              {"OPS_SAMPLE_INTERVAL", &s::sample_interval, "30s", false, false,
               "How often keel-api records its request, 5xx and pool-timeout counts for the "
               "alert hook"},
          },
      .check = {},
  };
  return d;
}

const runtime::declaration<alert_settings>& alert_settings::declared() {
  using s = alert_settings;
  static const runtime::declaration<alert_settings> d{
      .variables =
          {
              // A Slack incoming-webhook URL is its own credential: secret, never printed.
              {"ALERT_WEBHOOK_URL", &s::webhook_url, "", false, true,
               "Where keel-worker posts alerts ({\"text\": ...}, Slack-compatible; empty: off)"},
              {"ALERT_INTERVAL", &s::interval, "15m", false, false,
               "At most one alert of each kind per this long, across all workers"},
              {"ALERT_CHECK_INTERVAL", &s::check_interval, "1m", false, false,
               "How often keel-worker compares the signals with their thresholds"},
              {"ALERT_5XX_RATE", &s::error_rate_percent, "5", false, false,
               "Percent of keel-api answers that are 5xx over 5 minutes above which to alert", 0,
               100},
              {"ALERT_POOL_TIMEOUTS", &s::pool_timeouts, "10", false, false,
               "Database pool waits that gave up over 5 minutes above which to alert", 0,
               1'000'000'000},
          },
      .check =
          [](alert_settings& s, const runtime::settings&, runtime::problem_list& problems) {
            if (s.configured() && s.webhook_url.rfind("http://", 0) != 0 &&
                s.webhook_url.rfind("https://", 0) != 0) {
              problems.emplace_back("ALERT_WEBHOOK_URL must be an http:// or https:// URL");
            }
          },
  };
  return d;
}

}  // namespace keel::ops
