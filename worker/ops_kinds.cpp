// Operational job kinds.
#include "core/jobs/registry.hpp"
#include "worker/kinds.hpp"

namespace keel::worker {

void add_ops_kinds(jobs::registry& kinds) {
  // Proves the whole path (enqueue, NOTIFY, claim, complete) without side effects.
  kinds.add("jobs.noop",
            [](const boost::json::value&, jobs::job_context&) -> async<void> { co_return; });
}

}  // namespace keel::worker
