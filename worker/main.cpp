// keel-worker: runs jobs from the PostgreSQL job table until SIGTERM. This list is every job
// kind it knows.
#include "core/runtime/program.hpp"
#include "worker/app.hpp"
#include "worker/kinds.hpp"

int main(int argc, char** argv) {
  auto cfg = keel::runtime::start_program(
      {"keel-worker", "Runs jobs from the PostgreSQL job table until SIGTERM.", "[--help]",
       keel::runtime::worker},
      argc, argv);
  keel::worker::app app(std::move(cfg));
  keel::worker::add_ops_kinds(app);   // jobs.noop
  keel::worker::add_mail_kinds(app);  // email.send
  keel::worker::add_auth_kinds(app);  // auth.password_reset
  keel::worker::add_test_kinds(app);  // test.record, with KEEL_WORKER_TEST_KINDS=1 only
  return app.run();
}
