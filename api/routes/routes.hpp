// Every routes file's registration function, each handed the services its routes call, and
// add_routes(), which calls each once.
#pragma once
#include <string>
#include <vector>

namespace keel::auth {
class admin;
class service;
}  // namespace keel::auth
namespace keel::cache {
class cache;
}
namespace keel::catalog {
class service;
}
namespace keel::db {
class pool;
}
namespace keel::http {
class router;
}
namespace keel::jobs {
class service;
}
namespace keel::ops {
class service;
}
namespace keel::realtime {
class hub;
class tickets;
}  // namespace keel::realtime
namespace keel::rulebook {
class service;
}
namespace keel::uploads {
class service;
}
namespace keel::web_vitals {
class recorder;
}

namespace keel::api {

class app;
class auth_web;

// Every route keel-api serves, on app.router (routes.cpp: one line per routes file).
void add_routes(app& app);

// /health /ready /metrics /openapi.json /docs: what the program itself reports.
void add_system_routes(app& app);
// /api/v1/templates, /api/v1/methods: the governance catalog, served through `cached`.
void add_template_routes(http::router& router, catalog::service& catalog, cache::cache& cached);
void add_auth_routes(http::router& router, auth::service& auth, const auth_web& web);
void add_admin_routes(http::router& router, auth::admin& users, jobs::service& jobs,
                      ops::service& status, db::pool& db);
// /api/v1/drafts/me, /api/v1/rules/*, /api/v1/invites/accept: the product's write side.
void add_rule_routes(http::router& router, rulebook::service& rules);
// /api/v1/realtime (WebSocket), /api/v1/events (SSE), their tickets. `allowed_origins` are
// the only browser origins that may connect (CORS_ORIGINS).
void add_realtime_routes(http::router& router, realtime::hub& hub, realtime::tickets& tickets,
                         const std::vector<std::string>& allowed_origins);
// /api/v1/uploads: presigned uploads to the bucket and their metadata.
void add_uploads_routes(http::router& router, uploads::service& uploads);
// /api/v1/web-vitals: browsers' beacons, recorded as histograms on /metrics.
void add_web_vitals_routes(http::router& router, web_vitals::recorder& vitals);

}  // namespace keel::api
