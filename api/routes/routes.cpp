// Everything keel-api serves, each routes file handed the services it calls. main() serves
// this list, and so does the in-process fuzz target (tests/fuzz/http_request_fuzz.cpp).
#include "api/routes/routes.hpp"

#include "api/app.hpp"

namespace keel::api {

void add_routes(app& app) {
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
}

}  // namespace keel::api
