// The heartbeat and the rescuer: a job stays with a live worker, and comes back from a dead one.
#include "core/jobs/detail/leases.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <set>

#include "core/jobs/detail/claimer.hpp"
#include "core/jobs/detail/execution.hpp"
#include "core/jobs/detail/locked.hpp"
#include "core/jobs/metrics.hpp"
#include "core/runtime/log.hpp"

namespace keel::jobs::detail {
namespace {

void log_rescued(runner_state& s, const store::rescued_job& r) {
  if (r.state == "discarded") {
    if (s.metrics) s.metrics->discarded(r.kind);
    log::error("job discarded: its worker died on the last attempt",
               {{"job_id", r.id.str()},
                {"kind", r.kind},
                {"attempt", r.attempt},
                {"errors", boost::json::serialize(r.errors)}});
  } else {
    log::warn("job rescued from a worker that stopped heartbeating",
              {{"job_id", r.id.str()}, {"kind", r.kind}, {"attempt", r.attempt}});
  }
}

}  // namespace

void no_longer_held(runner_state& s, const uuid& id) {
  if (auto it = s.running.find(id); it != s.running.end()) {
    log::warn("job no longer held by this worker; stopping it",
              {{"job_id", id.str()}, {"kind", it->second->job.kind}});
    request_stop(*it->second, stop_reason::cancelled);
  } else if (drop_buffered(s, id)) {
    log::warn("job no longer held by this worker; it will not start", {{"job_id", id.str()}});
  }
}

async<void> heartbeat_loop(runner_state& s) {
  auto every = std::max(s.options.lease / 3, milliseconds(50));
  while (!s.finishing) {
    co_await s.heartbeat.wait(every);
    if (s.finishing) continue;
    std::vector<uuid> ids = s.held_ids();
    if (ids.empty()) continue;
    store::heartbeat_result beat;
    try {
      beat = co_await store::heartbeat(s.db, ids, s.options.worker_id, s.options.lease);
      s.database_fine();
    } catch (const std::exception& e) {
      s.database_trouble("heartbeat", e.what());
      continue;
    }
    std::set<uuid> still(beat.held.begin(), beat.held.end());
    for (const auto& id : beat.locked) {
      still.insert(id);
      if (s.runs(id)) extend_when_unlocked(s, id);
    }
    for (const auto& id : ids) {
      if (!still.contains(id)) no_longer_held(s, id);
    }
  }
}

async<void> rescue_loop(runner_state& s) {
  constexpr int batch = 500;
  auto every = std::clamp(s.options.lease / 2, milliseconds(100), milliseconds(60000));
  while (!s.finishing) {
    std::vector<store::rescued_job> rescued;
    try {
      do {
        // Never this worker's own jobs: it is alive, and a locked row may have kept their
        // heartbeats from being written.
        std::vector<uuid> keep = s.held_ids();
        rescued = co_await store::rescue(s.db, batch, s.options.worker_id, keep);
        for (const auto& r : rescued) log_rescued(s, r);
      } while (static_cast<int>(rescued.size()) == batch && !s.finishing);
    } catch (const std::exception& e) {
      log::debug("rescue failed", {{"error", e.what()}});
    }
    co_await s.rescuer.wait(every);
  }
}

}  // namespace keel::jobs::detail
