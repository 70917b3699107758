// keel-api: the HTTP server. This list is everything it serves.
#include "api/app.hpp"
#include "api/routes/routes.hpp"
#include "core/runtime/program.hpp"

int main(int argc, char** argv) {
  auto cfg = keel::runtime::start_program(
      {"keel-api", "Serves the HTTP API until SIGTERM.", "[--help]", keel::runtime::api}, argc,
      argv);
  keel::api::app app(std::move(cfg));
  keel::api::add_system_routes(app);    // /health /ready /metrics /openapi.json /docs
  keel::api::add_template_routes(app);  // /api/v1/templates, /api/v1/methods
  keel::api::add_auth_routes(app);      // /api/v1/auth/*, /.well-known/jwks.json
  keel::api::add_admin_routes(app);     // /api/v1/admin/* (role admin)
  return app.run();
}
