// The web vitals beacon: one route, open to anyone, that feeds the vitals' histograms.
#include "api/routes/routes.hpp"
#include "core/dto/json.hpp"
#include "core/http/endpoint.hpp"
#include "core/web_vitals/dto.hpp"
#include "core/web_vitals/recorder.hpp"

namespace keel::api {

using http::input;
using http::per_ip;

void add_web_vitals_routes(http::router& router, web_vitals::recorder& vitals) {
  // navigator.sendBeacon with a string sends text/plain (a JSON Blob would make the browser
  // preflight it), so that body is read as JSON too; any other type must be JSON as elsewhere.
  http::route beacon =
      http::post("/api/v1/web-vitals",
                 {.summary = "Report web vitals measured in the browser (recorded as metrics only)",
                  .tag = "web-vitals",
                  .errors = {413, 415, 422},
                  .limits = {per_ip("web_vitals_ip")}},
                 [&](input<>& in) -> async<void> {
                   if (!http::detail::has_media_type(in.raw, "text/plain")) {
                     http::detail::require_json_body(in.raw);
                   }
                   auto body = dto::parse_json(in.raw.body());
                   vitals.record(web_vitals::decode_reports(body));
                   co_return;
                 });
  // The body is one report or an array of them, which no single DTO describes.
  beacon.doc.request_schema = web_vitals::reports_schema();
  beacon.doc.request_content_types = {"application/json", "text/plain"};
  router.add(std::move(beacon));
}

}  // namespace keel::api
