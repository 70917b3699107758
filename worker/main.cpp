// keel-worker: runs jobs from the PostgreSQL job table until SIGTERM. app.hpp lists what it is
// made of, kinds.cpp every job kind it knows.
#include "core/runtime/program.hpp"
#include "worker/app.hpp"
#include "worker/kinds.hpp"

int main(int argc, char** argv) {
  auto cfg = keel::runtime::start_program<keel::worker::settings>(
      {"keel-worker", "Runs jobs from the PostgreSQL job table until SIGTERM.", "[--help]"}, argc,
      argv);
  keel::worker::app app(std::move(cfg));
  keel::worker::add_kinds(app);  // jobs.noop email.send auth.password_reset
  return app.run();
}
