// The test-only job kinds of keel-worker-test (test.record and friends).
#pragma once

namespace keel::db {
class pool;
}
namespace keel::jobs {
class registry;
}

namespace keel::worker {

// test.record: {"sleep_ms": n, "fail_attempts": n}, one test_job_runs row per successful run.
void add_test_kinds(jobs::registry& kinds, db::pool& db);

}  // namespace keel::worker
