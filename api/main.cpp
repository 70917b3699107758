// keel-api: the HTTP server. app.hpp lists what it is made of, api/routes/routes.cpp everything
// it serves.
#include "api/app.hpp"
#include "api/routes/routes.hpp"
#include "core/runtime/program.hpp"

int main(int argc, char** argv) {
  auto cfg = keel::runtime::start_program<keel::api::settings>(
      {"keel-api", "Serves the HTTP API until SIGTERM.", "[--help]"}, argc, argv);
  keel::api::app app(std::move(cfg));
  keel::api::add_routes(app);
  return app.run();
}
