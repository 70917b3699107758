// Rows another session holds locked: each is waited for alone, while the batched statements
// go on without it.
#pragma once
#include "core/jobs/detail/state.hpp"

namespace keel::jobs::detail {

// The completion of `id` was skipped because its row is locked: written once the row is free.
void complete_when_unlocked(runner_state& s, const uuid& id);

// The same for a failed attempt.
void fail_when_unlocked(runner_state& s, failure f);

// A heartbeat skipped `id`, which still runs here: its lease is extended once the row is free
// (first in the row's lock queue, so that no rescuer takes it when the lock goes).
void extend_when_unlocked(runner_state& s, const uuid& id);

}  // namespace keel::jobs::detail
