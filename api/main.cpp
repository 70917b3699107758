// keel-api: the HTTP server. app.hpp lists what it is made of; this list is everything it
// serves, each routes file handed the services it calls.
#include "api/app.hpp"
#include "api/routes/routes.hpp"
#include "core/runtime/program.hpp"

int main(int argc, char** argv) {
  auto cfg = keel::runtime::start_program<keel::api::settings>(
      {"keel-api", "Serves the HTTP API until SIGTERM.", "[--help]"}, argc, argv);
  keel::api::app app(std::move(cfg));
  using namespace keel::api;
  add_system_routes(app);  // /health /ready /metrics /openapi.json /docs
  add_template_routes(app.router, app.templates, app.catalog_cache);  // templates, methods
  add_auth_routes(app.router, app.auth, app.auth_cookies);            // /api/v1/auth/*
  add_admin_routes(app.router, app.users, app.jobs, app.status,
                   app.db);                // /api/v1/admin/* (role admin)
  add_rule_routes(app.router, app.rules);  // drafts, rules, stakeholders, invites
  add_realtime_routes(app.router, app.live, app.live_tickets,
                      app.cfg.http.cors_origins);  // /api/v1/realtime, /api/v1/events
  add_uploads_routes(app.router, app.uploads);     // /api/v1/uploads
  add_web_vitals_routes(app.router, app.vitals);   // /api/v1/web-vitals
  return app.run();
}
