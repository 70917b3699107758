// Upload routes: path, method, access, limits, DTOs and the service call. The bytes go from
// the client straight to the bucket; these routes only hand out and check presigned URLs.
#include "api/routes/client.hpp"
#include "api/routes/routes.hpp"
#include "core/http/endpoint.hpp"
#include "core/uploads/service.hpp"

namespace keel::api {

using http::access;
using http::input;
using http::no_query;
using http::per_ip;
using http::per_user;
using http::reply;

void add_uploads_routes(http::router& router, uploads::service& svc) {
  const std::vector<int> storage_errors = {503};
  const std::vector<int> one = {404, 503};

  router.add(http::post(
      "/api/v1/uploads",
      {.summary = "Start an upload: a presigned PUT for the file's bytes",
       .tag = "uploads",
       .status = 201,
       .errors = storage_errors,
       .access = access::user,
       .limits = {per_ip("upload_create_ip"), per_user("upload_create_user")}},
      [&](input<no_query, uploads::create_body>& in) -> async<reply<uploads::created_upload>> {
        auto from = origin_of(in);
        auto created = co_await svc.create(in.who().user_id, in.body, from);
        std::string location = "/api/v1/uploads/" + created.id.str();
        co_return reply<uploads::created_upload>{std::move(created), 201, {{"Location", location}}};
      }));

  router.add(http::post("/api/v1/uploads/{id}/complete",
                        {.summary = "Check the uploaded file and make it ready",
                         .tag = "uploads",
                         .errors = {404, 409, 503},
                         .access = access::user,
                         .limits = {per_user("upload_complete_user")}},
                        [&](input<>& in) -> async<uploads::upload_view> {
                          auto id = in.path<uuid>("id");
                          auto from = origin_of(in);
                          co_return co_await svc.complete(in.who().user_id, id, from);
                        }));

  router.add(http::get("/api/v1/uploads",
                       {.summary = "My uploads, newest first",
                        .tag = "uploads",
                        .access = access::user,
                        .limits = {per_ip("upload_read_ip")}},
                       [&](input<uploads::list_query>& in) -> async<uploads::upload_page> {
                         co_return co_await svc.list(in.who().user_id, in.query);
                       }));

  router.add(http::get("/api/v1/uploads/{id}",
                       {.summary = "An upload's metadata and where to read it",
                        .tag = "uploads",
                        .errors = one,
                        .access = access::user_if_sent,
                        .limits = {per_ip("upload_read_ip")}},
                       [&](input<>& in) -> async<uploads::upload_view> {
                         auto id = in.path<uuid>("id");
                         std::optional<uuid> viewer;
                         if (in.caller) viewer = in.caller->user_id;
                         co_return co_await svc.get(viewer, id);
                       }));

  router.add(http::delete_("/api/v1/uploads/{id}",
                           {.summary = "Delete an upload and its objects",
                            .tag = "uploads",
                            .errors = {404},
                            .access = access::user,
                            .limits = {per_user("upload_complete_user")}},
                           [&](input<>& in) -> async<void> {
                             auto id = in.path<uuid>("id");
                             auto from = origin_of(in);
                             co_await svc.remove(in.who().user_id, id, from);
                           }));
}

}  // namespace keel::api
