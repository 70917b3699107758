// The job-kind groups keel-worker registers; each feature adds its kinds with one function.
#pragma once
#include "worker/app.hpp"

namespace keel::worker {

// jobs.noop: does nothing (smoke checks, benchmarks).
void add_ops_kinds(app& app);

// email.send: delivers mail queued with mail::queue() through MAIL_TRANSPORT.
void add_mail_kinds(app& app);

// auth.password_reset: mails a reset link when the address has an account (forgot password).
void add_auth_kinds(app& app);

// test.record and friends, for the end-to-end tests; registered only when the environment
// has KEEL_WORKER_TEST_KINDS=1.
void add_test_kinds(app& app);

}  // namespace keel::worker
