// The shared state's few functions: building the queues, and what the worker holds.
#include "core/jobs/detail/state.hpp"

#include <algorithm>

#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::jobs::detail {

runner_state::runner_state(runtime::event_loops& l, db::pool& d, const registry& k,
                           runner_options o, job_metrics* m)
    : loops(l),
      io(l.loop(0)),
      db(d),
      kinds(k),
      options(std::move(o)),
      metrics(m),
      stopped(io),
      idle(io),
      completer(io),
      heartbeat(io),
      rescuer(io),
      background_done(io) {
  if (options.worker_id.empty()) options.worker_id = default_worker_id();
  for (const auto& q : options.queues) {
    int ahead = options.claim_ahead < 0 ? 2 * q.concurrency : options.claim_ahead;
    queues.push_back(std::make_unique<queue_state>(q, ahead, io));
  }
}

std::vector<uuid> runner_state::held_ids() const {
  std::vector<uuid> ids;
  ids.reserve(running.size() + static_cast<std::size_t>(buffered()) + to_complete.size());
  for (const auto& [id, rj] : running) ids.push_back(id);
  for (const auto& q : queues) {
    for (const auto& job : q->buffer) ids.push_back(job.id);
  }
  ids.insert(ids.end(), to_complete.begin(), to_complete.end());
  for (const auto& [id, row] : locked) {
    if (row.complete || row.failed) ids.push_back(id);
  }
  return ids;
}

bool runner_state::runs(const uuid& id) const {
  if (running.contains(id)) return true;
  for (const auto& q : queues) {
    for (const auto& job : q->buffer) {
      if (job.id == id) return true;
    }
  }
  return false;
}

bool runner_state::holds(const uuid& id) const {
  return runs(id) || locked.contains(id) ||
         std::find(to_complete.begin(), to_complete.end(), id) != to_complete.end();
}

int runner_state::buffered() const {
  int n = 0;
  for (const auto& q : queues) n += static_cast<int>(q->buffer.size());
  return n;
}

void runner_state::database_trouble(std::string_view what, std::string_view error) {
  if (!database_down) {
    database_down = true;
    log::warn("database unreachable; retrying", {{"step", what}, {"error", error}});
  }
}

void runner_state::database_fine() {
  if (database_down) {
    database_down = false;
    log::info("database reachable again");
    heartbeat.notify();  // leases may have run short during the outage
  }
}

}  // namespace keel::jobs::detail
