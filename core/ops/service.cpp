// The admin status, from the pool's counters and two queries of the job table.
#include "core/ops/service.hpp"

#include "core/db/pool.hpp"
#include "core/ops/store.hpp"

namespace keel::ops {

service::service(db::pool& db, const settings& s)
    : db_(db), settings_(s), started_(std::chrono::steady_clock::now()) {}

async<status> service::current() {
  auto p = db_.stats();
  status out{
      .version = std::string(build_version()),
      .commit = std::string(build_commit()),
      .uptime_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now() - started_)
                            .count(),
      .pool = {.size = p.size,
               .open = p.open,
               .idle = p.idle,
               .waiting = p.waiting,
               .timeouts = static_cast<std::int64_t>(p.timeouts)},
      .jobs = co_await store::count_jobs(db_),
      .discarded_last_hour = co_await store::discarded_within(db_, discarded_window),
      .discarded_threshold = settings_.jobs_alert_discarded,
  };
  out.degraded = out.discarded_last_hour > out.discarded_threshold;
  co_return out;
}

}  // namespace keel::ops
