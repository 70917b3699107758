// Operational routes: liveness, readiness, metrics, the OpenAPI document and its viewer.
#include <boost/describe/class.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>

#include "api/app.hpp"
#include "api/routes/docs_page.hpp"
#include "api/routes/routes.hpp"
#include "core/http/endpoint.hpp"
#include "core/http/openapi.hpp"
#include "core/runtime/error.hpp"

namespace keel::api {
namespace {

using namespace std::chrono_literals;

struct health_status {
  std::string status;  // "ok" / "ready"
};
BOOST_DESCRIBE_STRUCT(health_status, (), (status))

// /health is the hottest route a load balancer calls: a fixed body, nothing to encode.
http::route health_route() {
  http::route r;
  r.verb = http::method::get;
  r.path = "/health";
  r.doc.summary = "Liveness: the process is up";
  r.doc.tag = "system";
  r.doc.response_schema = dto::standalone_schema<health_status>();
  r.run = [](http::request&) -> async<http::response> {
    co_return http::response::text(R"({"status":"ok"})", "application/json");
  };
  return r;
}

}  // namespace

void add_system_routes(app& app) {
  app.router.add(health_route());

  app.router.add(http::get("/ready",
                           {.summary = "Readiness: PostgreSQL and Redis up, no shutdown begun",
                            .tag = "system",
                            .errors = {503}},
                           [&app](http::input<>&) -> async<health_status> {
                             if (app.shutting_down())
                               throw unavailable("The server is shutting down.", "not_ready");
                             if (!co_await app.db.ping(std::chrono::seconds(2))) {
                               throw unavailable("PostgreSQL does not answer.", "not_ready");
                             }
                             // Only when REDIS_URL is set: without it nothing waits on Redis.
                             if (app.redis && !co_await app.redis->ping(2s)) {
                               throw unavailable("Redis does not answer.", "not_ready");
                             }
                             co_return health_status{"ready"};
                           }));

  app.add_metrics_route(app.router);  // the same /metrics as keel-worker's

  // The document is written once, at the first request, when every route is registered.
  auto document = std::make_shared<std::pair<std::once_flag, std::string>>();
  app.router.add(
      http::get("/openapi.json",
                {.summary = "This API's OpenAPI 3.1 document", .tag = "system", .hidden = true},
                [&app, document](http::input<>&) -> async<http::response> {
                  std::call_once(document->first, [&] {
                    document->second = boost::json::serialize(http::openapi_document(
                        app.router, {.title = "keel API",
                                     .version = "0.1.0",
                                     .description = "The HTTP API of keel-api.",
                                     // A product that forks keel names its own terms here.
                                     // (SPDX's LicenseRef- form is for terms of one's own).
                                     .license = "Proprietary",
                                     .license_identifier = "LicenseRef-Proprietary"}));
                  });
                  co_return http::response::text(document->second, "application/json");
                }));

  app.router.add(http::get(
      "/docs", {.summary = "API reference viewer", .tag = "system", .hidden = true},
      [](http::input<>&) -> async<http::response> {
        co_return http::response::text(std::string(docs_page), "text/html; charset=utf-8");
      }));
}

}  // namespace keel::api
