// The auth.password_reset handler: the address lookup and the reset mail, off the request.
#include "core/auth/reset_job.hpp"

#include <boost/json/object.hpp>

#include "core/audit/log.hpp"
#include "core/auth/detail/links.hpp"
#include "core/auth/store.hpp"
#include "core/db/pool.hpp"
#include "core/jobs/registry.hpp"
#include "core/jobs/service.hpp"

namespace keel::auth {
namespace {

struct reset_request {
  std::string email;
  std::string app_url;
  audit::origin from;
};

std::string text_field(const boost::json::object& payload, std::string_view key) {
  const auto* field = payload.if_contains(key);
  const auto* text = field ? field->if_string() : nullptr;
  if (!text) {
    throw jobs::permanent_failure(std::string(reset_job_kind) + " payload has no " +
                                  std::string(key));
  }
  return std::string(*text);
}

reset_request read(const boost::json::value& payload, const jobs::job_context& ctx) {
  const auto* object = payload.if_object();
  if (!object) throw jobs::permanent_failure(std::string(reset_job_kind) + " payload is no object");
  return {
      .email = text_field(*object, "email"),
      .app_url = text_field(*object, "app_url"),
      .from = {.actor_id = std::nullopt,
               .ip = text_field(*object, "ip"),
               .user_agent = text_field(*object, "user_agent"),
               .request_id = ctx.request_id.value_or(""),
               .traceparent = ctx.traceparent},
  };
}

async<void> send_reset(db::pool& db, const boost::json::value& payload, jobs::job_context& ctx) {
  reset_request request = read(payload, ctx);
  auto tx = co_await db.begin();
  auto user = co_await store::find_user_by_email(tx, request.email);
  // An unknown or disabled address: no mail, and nothing to audit about an account.
  if (user && !user->disabled) {
    jobs::cause by = jobs::cause_of(request.from);
    co_await detail::send_link(tx, user->view, detail::reset_link, request.app_url, by);
    boost::json::object details;
    std::optional<uuid> user_id = user->view.id;
    co_await audit::record(tx, request.from, "auth.password_reset_requested", user_id, details);
  }
  co_await tx.commit();
}

}  // namespace

boost::json::value reset_job_payload(const std::string& email, const std::string& app_url,
                                     const audit::origin& from) {
  return boost::json::object{
      {"email", email}, {"app_url", app_url}, {"ip", from.ip}, {"user_agent", from.user_agent}};
}

void add_reset_job(jobs::registry& kinds, db::pool& db) {
  kinds.add(std::string(reset_job_kind),
            [&db](const boost::json::value& payload, jobs::job_context& ctx) -> async<void> {
              return send_reset(db, payload, ctx);
            },
            // A reset link is wanted now and expires in an hour: retries stay close together.
            {.timeout = std::chrono::seconds(30),
             .backoff_base = std::chrono::seconds(1),
             .backoff_cap = std::chrono::minutes(1)});
}

}  // namespace keel::auth
