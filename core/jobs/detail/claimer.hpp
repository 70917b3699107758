// Claiming: one loop per queue takes due jobs for the free slots plus a small buffer ahead.
#pragma once
#include "core/jobs/detail/state.hpp"

namespace keel::jobs::detail {

// Claims jobs of `q` until the worker stops; a claim that comes back after the stop began
// is put back at once.
async<void> claim_loop(runner_state& s, queue_state& q);

// Puts every buffered job back as available, the attempt not counted (graceful stop).
async<void> release_buffered(runner_state& s);

// Forgets a buffered job that is no longer ours to run (cancelled, or rescued meanwhile);
// false when it is not buffered.
bool drop_buffered(runner_state& s, const uuid& id);

}  // namespace keel::jobs::detail
