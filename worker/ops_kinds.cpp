// Operational job kinds.
#include "worker/kinds.hpp"

namespace keel::worker {

void add_ops_kinds(app& app) {
  // Proves the whole path (enqueue, NOTIFY, claim, complete) without side effects.
  app.kinds.add("jobs.noop",
                [](const boost::json::value&, jobs::job_context&) -> async<void> { co_return; });
}

}  // namespace keel::worker
