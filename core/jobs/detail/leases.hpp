// Leases: keeping this worker's leases alive, and rescuing the jobs of workers that died.
#pragma once
#include "core/jobs/detail/state.hpp"

namespace keel::jobs::detail {

// Extends the lease of every job this worker holds (running, buffered, completed or failed but
// not yet recorded) every lease / 3; a job it no longer holds is stopped or dropped from the
// buffer, and one whose row another session holds locked has its lease extended alone.
async<void> heartbeat_loop(runner_state& s);

// Every lease / 2: running jobs whose lease ran out go back to the queue (or are discarded),
// except this worker's own.
async<void> rescue_loop(runner_state& s);

// The table says `id` is no longer this worker's (cancelled, or rescued after a long outage):
// a running job is stopped, a buffered one dropped.
void no_longer_held(runner_state& s, const uuid& id);

}  // namespace keel::jobs::detail
