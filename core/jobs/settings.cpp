// The job queue's variables; WORKER_QUEUES is checked here so that a bad entry is reported
// with the other problems.
#include "core/jobs/settings.hpp"

#include <stdexcept>

#include "core/jobs/runner.hpp"

namespace keel::jobs {

const runtime::declaration<worker_settings>& worker_settings::declared() {
  using s = worker_settings;
  static const runtime::declaration<worker_settings> d{
      .variables =
          {
              // name, field, default, required, secret, description, min, max
              {"WORKER_POLL_INTERVAL", &s::poll_interval, "1s", false, false,
               "How often keel-worker looks for work when no notification came"},
              {"WORKER_QUEUES", &s::queues, "default:10,mail:4", false, false,
               "Queues keel-worker runs and how many jobs of each at once "
               "(name:concurrency,...)"},
              {"WORKER_SHUTDOWN_GRACE", &s::shutdown_grace, "30s", false, false,
               "How long running jobs may finish after SIGTERM before they are put back"},
              {"WORKER_LEASE", &s::lease, "30s", false, false,
               "How long a claimed job is reserved without a heartbeat before it is rescued"},
              {"WORKER_METRICS_PORT", &s::metrics_port, "0", false, false,
               "Port for keel-worker's /metrics on 127.0.0.1 (0: off)", 0, 65535},
          },
      .check =
          [](worker_settings& s, const runtime::settings&, runtime::problem_list& problems) {
            try {
              parse_queues(s.queues);
            } catch (const std::invalid_argument& e) {
              problems.emplace_back(e.what());
            }
          },
  };
  return d;
}

const runtime::declaration<retention_settings>& retention_settings::declared() {
  using s = retention_settings;
  static const runtime::declaration<retention_settings> d{
      .variables =
          {
              {"JOBS_RETAIN_COMPLETED", &s::keep_completed, "24h", false, false,
               "jobs.prune deletes completed and cancelled jobs older than this"},
              {"JOBS_RETAIN_DISCARDED", &s::keep_discarded, "14d", false, false,
               "jobs.prune deletes discarded jobs older than this"},
          },
      .check = {},
  };
  return d;
}

}  // namespace keel::jobs
