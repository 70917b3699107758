// The job-kind groups keel-worker registers; each feature adds its kinds with one function,
// handed the services its handlers call.
#pragma once
#include <memory>

namespace keel::db {
class pool;
}
namespace keel::jobs {
class registry;
}
namespace keel::mail {
class transport;
}

namespace keel::worker {

// jobs.noop: does nothing (smoke checks, benchmarks).
void add_ops_kinds(jobs::registry& kinds);

// email.send: delivers mail queued with mail::queue() through `transport` (MAIL_TRANSPORT).
void add_mail_kinds(jobs::registry& kinds, db::pool& db,
                    std::shared_ptr<mail::transport> transport);

// auth.password_reset: mails a reset link when the address has an account (forgot password).
void add_auth_kinds(jobs::registry& kinds, db::pool& db);

// test.record and friends, for the end-to-end tests; registered only when the environment
// has KEEL_WORKER_TEST_KINDS=1.
void add_test_kinds(jobs::registry& kinds, db::pool& db);

}  // namespace keel::worker
