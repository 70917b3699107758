// Admin routes (role admin, 403 otherwise): the status, jobs, the audit log, users. Each is
// admin with the admin limit, so the handler only calls its service.
#include "core/auth/admin.hpp"
#include "api/routes/client.hpp"
#include "api/routes/routes.hpp"
#include "core/audit/log.hpp"
#include "core/http/endpoint.hpp"
#include "core/jobs/service.hpp"
#include "core/ops/service.hpp"

namespace keel::api {

using http::input;
using http::no_query;

namespace {

// Every admin route's declaration, with its own summary and the errors it adds.
http::endpoint_doc admin_doc(std::string summary, std::vector<int> errors = {}) {
  return {.summary = std::move(summary),
          .tag = "admin",
          .errors = std::move(errors),
          .access = http::access::admin,
          .limits = {http::per_ip("admin_ip")}};
}

}  // namespace

void add_admin_routes(http::router& router, auth::admin& users, jobs::service& jobs,
                      ops::service& status, db::pool& db) {
  const std::vector<int> one = {404};
  const std::vector<int> changes = {404, 409};

  // Read when asked, so /health stays free of queries.
  router.add(http::get(
      "/api/v1/admin/status",
      admin_doc("Version, uptime, pool use, jobs by state and whether discarded jobs degrade"),
      [&](input<>&) -> async<ops::status> { co_return co_await status.current(); }));

  router.add(http::get("/api/v1/admin/jobs", admin_doc("List jobs"),
                       [&](input<jobs::list_query>& in) -> async<jobs::job_page> {
                         co_return co_await jobs.list(in.query);
                       }));

  router.add(
      http::get("/api/v1/admin/jobs/stats", admin_doc("Jobs by queue and state"),
                [&](input<>&) -> async<jobs::job_stats> { co_return co_await jobs.stats(); }));

  router.add(http::get("/api/v1/admin/jobs/{id}", admin_doc("One job", one),
                       [&](input<>& in) -> async<jobs::job> {
                         auto id = in.path<uuid>("id");
                         co_return co_await jobs.get(id);
                       }));

  router.add(http::post("/api/v1/admin/jobs/{id}/retry",
                        admin_doc("Run a discarded, retryable or cancelled job again now", changes),
                        [&](input<>& in) -> async<jobs::job> {
                          auto id = in.path<uuid>("id");
                          auto by = origin_of(in);
                          co_return co_await jobs.retry(id, by);
                        }));

  router.add(http::post("/api/v1/admin/jobs/{id}/cancel",
                        admin_doc("Cancel a waiting or running job", changes),
                        [&](input<>& in) -> async<jobs::job> {
                          auto id = in.path<uuid>("id");
                          auto by = origin_of(in);
                          co_return co_await jobs.cancel(id, by);
                        }));

  router.add(http::delete_("/api/v1/admin/jobs/{id}",
                           admin_doc("Delete a job that is not running", changes),
                           [&](input<>& in) -> async<void> {
                             auto id = in.path<uuid>("id");
                             auto by = origin_of(in);
                             co_await jobs.remove(id, by);
                           }));

  router.add(http::get("/api/v1/admin/audit", admin_doc("The audit log, newest first"),
                       [&](input<audit::list_query>& in) -> async<audit::entry_page> {
                         co_return co_await audit::list(db, in.query);
                       }));

  router.add(http::get("/api/v1/admin/users", admin_doc("List users"),
                       [&](input<auth::user_list_query>& in) -> async<auth::admin_user_page> {
                         co_return co_await users.list_users(in.query);
                       }));

  router.add(
      http::patch("/api/v1/admin/users/{id}",
                  admin_doc("Change a user's role, or disable them (ends their sessions)", changes),
                  [&](input<no_query, auth::user_patch>& in) -> async<auth::admin_user> {
                    auto id = in.path<uuid>("id");
                    auto from = origin_of(in);
                    co_return co_await users.update_user(in.who(), id, in.body, from);
                  }));
}

}  // namespace keel::api
