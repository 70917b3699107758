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
namespace keel::runtime {
class blocking_pool;
}
namespace keel::storage {
class s3_client;
}

namespace keel::worker {

// jobs.noop: does nothing (smoke checks, benchmarks).
void add_ops_kinds(jobs::registry& kinds);

// email.send: delivers mail queued with mail::queue() through `transport` (MAIL_TRANSPORT).
void add_mail_kinds(jobs::registry& kinds, db::pool& db,
                    std::shared_ptr<mail::transport> transport);

// uploads.variants (WebP variants of image uploads, made on `cpu`) and storage.delete (an
// upload's objects); `s3` is null when S3_BUCKET is unset, and the jobs then wait.
void add_uploads_kinds(jobs::registry& kinds, db::pool& db, storage::s3_client* s3,
                       runtime::blocking_pool& cpu);

// test.record and friends, for the end-to-end tests; registered only when the environment
// has KEEL_WORKER_TEST_KINDS=1.
void add_test_kinds(jobs::registry& kinds, db::pool& db);

}  // namespace keel::worker
