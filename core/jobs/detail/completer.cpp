// The completer: one UPDATE for every job that finished while the previous one was in
// flight, so a busy worker writes completions in batches without waiting to form them, and
// an idle one writes each completion at once.
#include "core/jobs/detail/completer.hpp"

#include "core/jobs/detail/locked.hpp"
#include "core/runtime/log.hpp"

namespace keel::jobs::detail {

async<void> complete_loop(runner_state& s) {
  int failures = 0;
  std::vector<uuid> batch;
  while (true) {
    if (s.to_complete.empty()) {
      if (s.finishing) break;
      co_await s.completer.wait(std::chrono::seconds(1));
      continue;
    }
    batch.clear();
    std::swap(batch, s.to_complete);
    bool ok = false;
    try {
      // A row another session holds locked is skipped, and completed alone once it is free.
      auto locked = co_await store::complete(s.db, batch, s.options.worker_id);
      for (const auto& id : locked) complete_when_unlocked(s, id);
      ok = true;
      failures = 0;
    } catch (const std::exception& e) {
      s.database_trouble("complete", e.what());
    }
    if (ok) continue;
    // Until written, these jobs stay held (heartbeated); after a crash they run again.
    s.to_complete.insert(s.to_complete.begin(), batch.begin(), batch.end());
    if (s.finishing && ++failures > 10) {
      log::error("could not record completed jobs; they run again after their lease",
                 {{"jobs", s.to_complete.size()}});
      break;
    }
    co_await sleep_for(s.io, milliseconds(500));
  }
}

}  // namespace keel::jobs::detail
