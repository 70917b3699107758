// Recording completions: the jobs that finished since the last write, in one statement.
#pragma once
#include "core/jobs/detail/state.hpp"

namespace keel::jobs::detail {

// Writes runner_state::to_complete as it fills, until the worker finishes; at the end it
// keeps trying a while, so that a stop loses no completion the database can still take.
async<void> complete_loop(runner_state& s);

}  // namespace keel::jobs::detail
