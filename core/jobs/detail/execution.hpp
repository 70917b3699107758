// Running one job: its handler, its timeout and stop requests, and recording how it ended.
#pragma once
#include "core/jobs/detail/state.hpp"

namespace keel::jobs::detail {

// Starts buffered jobs of `q` in its free slots (none once the worker is stopping).
void start_ready(runner_state& s, queue_state& q);

// Asks a running job to stop: its handler is woken, the job ends as `why` says.
void request_stop(running_job& rj, stop_reason why);

// Logs how recording a failed attempt ended (`failed`: store::fail's answer, never `locked`)
// and looks again for the queue's work when its retry is due.
void recorded_failure(runner_state& s, const failure& f,
                      const std::optional<store::failed_job>& failed);

}  // namespace keel::jobs::detail
