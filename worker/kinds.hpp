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

class app;

// Every kind keel-worker runs, group by group (worker/kinds.cpp is the list). keel-worker-test
// (tests/worker/) runs the same plus its test-only kinds.
void add_kinds(app& app);

// jobs.noop: does nothing (smoke checks, benchmarks).
void add_ops_kinds(jobs::registry& kinds);

// email.send: delivers mail queued with mail::queue() through `transport` (MAIL_TRANSPORT).
void add_mail_kinds(jobs::registry& kinds, db::pool& db,
                    std::shared_ptr<mail::transport> transport);

// auth.password_reset: mails a reset link when the address has an account (forgot password).
void add_auth_kinds(jobs::registry& kinds, db::pool& db);

}  // namespace keel::worker
