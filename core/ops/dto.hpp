// What GET /api/v1/admin/status answers: the program, its pool, the job table, and whether
// the discarded jobs of the last hour make the deployment degraded.
#pragma once
#include <boost/describe/class.hpp>
#include <cstdint>
#include <string>

#include "core/dto/rules.hpp"

namespace keel::ops {

struct pool_use {
  int size = 0;
  int open = 0;
  int idle = 0;
  int waiting = 0;
  std::int64_t timeouts = 0;  // waits that gave up (503) since this instance started
};
BOOST_DESCRIBE_STRUCT(pool_use, (), (size, open, idle, waiting, timeouts))

// Jobs in each state, every queue together.
struct job_counts {
  std::int64_t available = 0;
  std::int64_t scheduled = 0;
  std::int64_t running = 0;
  std::int64_t retryable = 0;
  std::int64_t completed = 0;
  std::int64_t discarded = 0;
  std::int64_t cancelled = 0;
};
BOOST_DESCRIBE_STRUCT(job_counts, (),
                      (available, scheduled, running, retryable, completed, discarded, cancelled))

struct status {
  static constexpr std::string_view schema_name = "AdminStatus";
  std::string version;
  std::string commit;
  std::int64_t uptime_seconds = 0;  // of the keel-api instance that answered
  pool_use pool;
  job_counts jobs;
  std::int64_t discarded_last_hour = 0;
  int discarded_threshold = 0;  // JOBS_ALERT_DISCARDED
  bool degraded = false;        // discarded_last_hour > discarded_threshold
};
BOOST_DESCRIBE_STRUCT(status, (),
                      (version, commit, uptime_seconds, pool, jobs, discarded_last_hour,
                       discarded_threshold, degraded))

constexpr auto keel_rules(const status*) {
  using namespace keel::dto;
  return rules(
      field("commit").description("The git commit keel was built from, or unknown"),
      field("degraded")
          .description("More jobs were discarded in the last hour than JOBS_ALERT_DISCARDED"));
}

// What one keel-api instance served over its last sample interval.
struct sample {
  std::int64_t requests = 0;
  std::int64_t errors_5xx = 0;
  std::int64_t pool_timeouts = 0;
};

// The build keel runs: its version and commit (set by CMake for this one source file).
std::string_view build_version();
std::string_view build_commit();

}  // namespace keel::ops
