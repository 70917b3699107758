// Admin routes (role admin, 403 otherwise): jobs, the audit log, users. Each handler checks
// the caller first, then calls one service.
#include "core/auth/admin.hpp"
#include "api/routes/client.hpp"
#include "api/routes/routes.hpp"
#include "core/audit/log.hpp"
#include "core/auth/limits.hpp"
#include "core/auth/service.hpp"
#include "core/http/endpoint.hpp"
#include "core/jobs/service.hpp"

namespace keel::api {

using http::input;
using http::no_query;

namespace {

// The caller, when signed in as an admin; 401 or 403 otherwise.
async<auth::principal> admin_of(auth::service& auth, auth::limits& limits, http::request& req) {
  auto authorization = authorization_of(req);
  auto who = co_await auth.authenticate(authorization);
  auth::require_admin(who);
  std::optional<std::string> user = who.user_id.str();
  co_await limits.check(req, "admin", user);
  co_return who;
}

// Writes an admin's job action to the audit log: the job is not a user, so user_id stays empty.
async<void> audit_job(db::pool& db, const http::request& req, const auth::principal& who,
                      std::string_view action, const uuid& job_id) {
  auto from = origin_of(req, who.user_id);
  boost::json::object details{{"job_id", job_id.str()}};
  std::optional<uuid> nobody;
  co_await audit::record(db, from, action, nobody, details);
}

}  // namespace

void add_admin_routes(http::router& router, auth::service& auth, auth::limits& limits,
                      auth::admin& users, jobs::service& jobs, db::pool& db) {
  const std::vector<int> admin_only = {401, 403};
  const std::vector<int> admin_one = {401, 403, 404};

  router.add(
      http::get("/api/v1/admin/jobs",
                {.summary = "List jobs", .tag = "admin", .errors = admin_only, .bearer = true},
                [&](input<jobs::list_query>& in) -> async<jobs::job_page> {
                  co_await admin_of(auth, limits, in.raw);
                  co_return co_await jobs.list(in.query);
                }));

  router.add(http::get(
      "/api/v1/admin/jobs/stats",
      {.summary = "Jobs by queue and state", .tag = "admin", .errors = admin_only, .bearer = true},
      [&](input<>& in) -> async<jobs::job_stats> {
        co_await admin_of(auth, limits, in.raw);
        co_return co_await jobs.stats();
      }));

  router.add(http::get("/api/v1/admin/jobs/{id}",
                       {.summary = "One job", .tag = "admin", .errors = admin_one, .bearer = true},
                       [&](input<>& in) -> async<jobs::job> {
                         co_await admin_of(auth, limits, in.raw);
                         auto id = in.path<uuid>("id");
                         co_return co_await jobs.get(id);
                       }));

  router.add(http::post("/api/v1/admin/jobs/{id}/retry",
                        {.summary = "Run a discarded, retryable or cancelled job again now",
                         .tag = "admin",
                         .errors = {401, 403, 404, 409},
                         .bearer = true},
                        [&](input<>& in) -> async<jobs::job> {
                          auto who = co_await admin_of(auth, limits, in.raw);
                          auto id = in.path<uuid>("id");
                          auto job = co_await jobs.retry(id);
                          co_await audit_job(db, in.raw, who, "admin.job_retried", id);
                          co_return job;
                        }));

  router.add(http::post("/api/v1/admin/jobs/{id}/cancel",
                        {.summary = "Cancel a waiting or running job",
                         .tag = "admin",
                         .errors = {401, 403, 404, 409},
                         .bearer = true},
                        [&](input<>& in) -> async<jobs::job> {
                          auto who = co_await admin_of(auth, limits, in.raw);
                          auto id = in.path<uuid>("id");
                          auto job = co_await jobs.cancel(id);
                          co_await audit_job(db, in.raw, who, "admin.job_cancelled", id);
                          co_return job;
                        }));

  router.add(http::delete_("/api/v1/admin/jobs/{id}",
                           {.summary = "Delete a job that is not running",
                            .tag = "admin",
                            .errors = {401, 403, 404, 409},
                            .bearer = true},
                           [&](input<>& in) -> async<void> {
                             auto who = co_await admin_of(auth, limits, in.raw);
                             auto id = in.path<uuid>("id");
                             co_await jobs.remove(id);
                             co_await audit_job(db, in.raw, who, "admin.job_deleted", id);
                           }));

  router.add(http::get("/api/v1/admin/audit",
                       {.summary = "The audit log, newest first",
                        .tag = "admin",
                        .errors = admin_only,
                        .bearer = true},
                       [&](input<audit::list_query>& in) -> async<audit::entry_page> {
                         co_await admin_of(auth, limits, in.raw);
                         co_return co_await audit::list(db, in.query);
                       }));

  router.add(
      http::get("/api/v1/admin/users",
                {.summary = "List users", .tag = "admin", .errors = admin_only, .bearer = true},
                [&](input<auth::user_list_query>& in) -> async<auth::admin_user_page> {
                  co_await admin_of(auth, limits, in.raw);
                  co_return co_await users.list_users(in.query);
                }));

  router.add(http::patch("/api/v1/admin/users/{id}",
                         {.summary = "Change a user's role, or disable them (ends their sessions)",
                          .tag = "admin",
                          .errors = {401, 403, 404, 409},
                          .bearer = true},
                         [&](input<no_query, auth::user_patch>& in) -> async<auth::admin_user> {
                           auto who = co_await admin_of(auth, limits, in.raw);
                           auto id = in.path<uuid>("id");
                           auto from = origin_of(in.raw, who.user_id);
                           co_return co_await users.update_user(who, id, in.body, from);
                         }));
}

}  // namespace keel::api
