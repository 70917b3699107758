// keel-worker-test: keel-worker with every job kind it has plus the test-only kinds, for the
// end-to-end tests. keel-worker itself has no test kinds.
#include "core/runtime/program.hpp"
#include "tests/worker/test_kinds.hpp"
#include "worker/app.hpp"
#include "worker/kinds.hpp"

int main(int argc, char** argv) {
  auto cfg = keel::runtime::start_program<keel::worker::settings>(
      {"keel-worker-test", "keel-worker with the test-only job kinds, for the tests.", "[--help]"},
      argc, argv);
  keel::worker::app app(std::move(cfg));
  keel::worker::add_kinds(app);                     // every kind keel-worker has
  keel::worker::add_test_kinds(app.kinds, app.db);  // test.record
  return app.run();
}
