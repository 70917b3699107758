// keel-worker: runs jobs from the PostgreSQL job table until SIGTERM. app.hpp lists what it is
// made of; this list is every job kind it knows, each group handed the services it calls.
#include "core/runtime/program.hpp"
#include "worker/app.hpp"
#include "worker/kinds.hpp"

int main(int argc, char** argv) {
  auto cfg = keel::runtime::start_program(
      {"keel-worker", "Runs jobs from the PostgreSQL job table until SIGTERM.", "[--help]",
       keel::runtime::worker},
      argc, argv);
  keel::worker::app app(std::move(cfg));
  using namespace keel::worker;
  add_ops_kinds(app.kinds);                     // jobs.noop
  add_mail_kinds(app.kinds, app.db, app.mail);  // email.send
  add_auth_kinds(app.kinds, app.db);            // auth.password_reset
  add_test_kinds(app.kinds, app.db);            // test.record, with KEEL_WORKER_TEST_KINDS=1 only
  return app.run();
}
