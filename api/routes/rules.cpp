// Community rules routes (drafts, rules, stakeholders, invites): path, method, who may call,
// rate limits, DTOs, conditional headers and the service call. Every decision is the service's.
#include <boost/json/serialize.hpp>

#include "api/routes/client.hpp"
#include "api/routes/routes.hpp"
#include "core/http/conditional.hpp"
#include "core/http/endpoint.hpp"
#include "core/rules/service.hpp"

namespace keel::api {

using http::access;
using http::input;
using http::no_query;
using http::per_ip;
using http::per_user;
using http::reply;
using rulebook::precondition;

namespace {

// A document's body is held to 512 KiB, below the server's limit for every route (413 either way).
void require_document_size(const http::request& req) {
  if (req.body().size() > catalog::document_limits::max_bytes) {
    throw keel::error(error_kind::payload_too_large, "payload_too_large",
                      "A document may be at most 512 KiB.");
  }
}

// If-Match (one tag; "*" is any existing version) and If-None-Match: * (create only).
precondition precondition_of(const http::request& req) {
  precondition pre;
  if (auto none = req.header("If-None-Match"); none && *none == "*") pre.create_only = true;
  if (auto match = req.header("If-Match"); match && *match != "*") {
    pre.if_match = http::version_of_etag(*match);
    if (!pre.if_match) pre.if_match_any_version = true;
  }
  return pre;
}

// A rule id from the path; anything that is not one is a rule that does not exist.
uuid rule_id_of(const http::request& req, std::string_view name = "id") {
  auto id = uuid::parse(req.path_param(name));
  if (!id) throw not_found("No rule has this id.", "rule_not_found");
  return *id;
}

uuid stakeholder_id_of(const http::request& req) {
  auto id = uuid::parse(req.path_param("sid"));
  if (!id) throw not_found("The rule has no such stakeholder.", "stakeholder_not_found");
  return *id;
}

template <class T>
reply<T> tagged(rulebook::versioned<T> v, int status = 0) {
  return {.body = std::move(v.value),
          .status = status,
          .headers = {{"ETag", http::etag_of_version(v.version)}}};
}

reply<rulebook::rule> created(rulebook::versioned<rulebook::rule> v) {
  std::string location = "/api/v1/rules/" + v.value.id.str();
  auto r = tagged(std::move(v), 201);
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

}  // namespace

void add_rule_routes(http::router& router, rulebook::service& svc) {
  using namespace keel::rulebook;

  // ---- drafts ----

  router.add(http::get("/api/v1/drafts/me",
                       {.summary = "Your draft, with its ETag",
                        .tag = "drafts",
                        .errors = {404},
                        .access = access::user},
                       [&](input<>& in) -> async<reply<draft>> {
                         co_return tagged(co_await svc.get_draft(in.who().user_id));
                       }));

  router.add(
      http::put("/api/v1/drafts/me",
                {.summary = "Save your draft (If-Match: its ETag; If-None-Match: * to create only)",
                 .tag = "drafts",
                 .errors = {412, 413},
                 .access = access::user},
                [&](input<no_query, draft_body>& in) -> async<reply<draft>> {
                  require_document_size(in.raw);
                  auto pre = precondition_of(in.raw);
                  co_return tagged(co_await svc.save_draft(in.who(), std::move(in.body), pre));
                }));

  router.add(
      http::delete_("/api/v1/drafts/me",
                    {.summary = "Delete your draft (204 also when there is none)",
                     .tag = "drafts",

                     .access = access::user},
                    [&](input<>& in) -> async<void> { co_await svc.delete_draft(in.who()); }));

  // ---- rules ----

  router.add(http::post("/api/v1/rules",
                        {.summary = "Publish a rule and invite its stakeholders",
                         .tag = "rules",
                         .status = 201,
                         .errors = {413},
                         .access = access::user,
                         .limits = {per_ip("rule_publish_ip"), per_user("rule_publish_user")}},
                        [&](input<no_query, publish_body>& in) -> async<reply<rule>> {
                          require_document_size(in.raw);
                          auto from = origin_of(in);
                          co_return created(co_await svc.publish(in.who(), in.body, from));
                        }));

  router.add(http::get(
      "/api/v1/rules",
      {.summary = "Published rules, newest first, or best match for q", .tag = "rules"},
      [&](input<rule_query>& in) -> async<rule_page> { co_return co_await svc.list(in.query); }));

  router.add(http::get("/api/v1/rules/me",
                       {.summary = "Rules you own and rules you accepted an invite to",
                        .tag = "rules",

                        .access = access::user},
                       [&](input<my_rule_query>& in) -> async<my_rule_page> {
                         co_return co_await svc.mine(in.who().user_id, in.query);
                       }));

  router.add(http::get("/api/v1/rules/{id}",
                       {.summary = "One rule, with your role in it",
                        .tag = "rules",
                        .errors = {304, 404},
                        .access = access::user_if_sent},
                       [&](input<>& in) -> async<http::typed_response<rule>> {
                         auto id = rule_id_of(in.raw);
                         http::typed_response<rule> out;
                         if (!in.caller) {
                           // Signed out, the answer is the same for everyone: from the cache.
                           auto found = co_await svc.get_public(id);
                           static_cast<http::response&>(out) = http::conditional_json(
                               in.raw, std::move(found.value), http::etag_of_version(found.version),
                               "no-cache");
                         } else {
                           std::optional<uuid> viewer = in.caller->user_id;
                           auto found = co_await svc.get(id, viewer);
                           static_cast<http::response&>(out) = http::conditional_json(
                               in.raw, boost::json::serialize(dto::encode(found.value)),
                               http::etag_of_version(found.version), "private, no-cache");
                         }
                         // viewer_role depends on who asks.
                         out.with_header("Vary", "Authorization");
                         co_return out;
                       }));

  router.add(http::patch("/api/v1/rules/{id}",
                         {.summary = "Change your rule (If-Match: its ETag)",
                          .tag = "rules",
                          .errors = {403, 404, 412, 413},
                          .access = access::user},
                         [&](input<no_query, patch_body>& in) -> async<reply<rule>> {
                           auto id = rule_id_of(in.raw);
                           require_document_size(in.raw);
                           auto pre = precondition_of(in.raw);
                           auto from = origin_of(in);
                           co_return tagged(co_await svc.update(in.who(), id, in.body, pre, from));
                         }));

  router.add(http::delete_("/api/v1/rules/{id}",
                           {.summary = "Delete your rule and its stakeholders",
                            .tag = "rules",
                            .errors = {403, 404},
                            .access = access::user},
                           [&](input<>& in) -> async<void> {
                             auto id = rule_id_of(in.raw);
                             auto from = origin_of(in);
                             co_await svc.remove(in.who(), id, from);
                           }));

  router.add(http::post("/api/v1/rules/{id}/duplicate",
                        {.summary = "Copy your rule, without its stakeholders",
                         .tag = "rules",
                         .status = 201,
                         .errors = {403, 404},
                         .access = access::user},
                        [&](input<>& in) -> async<reply<rule>> {
                          auto id = rule_id_of(in.raw);
                          auto from = origin_of(in);
                          co_return created(co_await svc.duplicate(in.who(), id, from));
                        }));

  // ---- stakeholders ----

  router.add(http::get("/api/v1/rules/{id}/stakeholders",
                       {.summary = "Your rule's stakeholders and their invites",
                        .tag = "rules",
                        .errors = {404},
                        .access = access::user},
                       [&](input<>& in) -> async<stakeholder_list> {
                         auto id = rule_id_of(in.raw);
                         co_return co_await svc.stakeholders(in.who(), id);
                       }));

  router.add(
      http::post("/api/v1/rules/{id}/stakeholders",
                 {.summary = "Invite a stakeholder by email",
                  .tag = "rules",
                  .status = 201,
                  .errors = {404, 409},
                  .access = access::user,
                  .limits = {per_ip("stakeholder_add_ip"), per_user("stakeholder_add_user")}},
                 [&](input<no_query, stakeholder_body>& in) -> async<stakeholder> {
                   auto id = rule_id_of(in.raw);
                   auto from = origin_of(in);
                   co_return co_await svc.add_stakeholder(in.who(), id, in.body, from);
                 }));

  router.add(http::delete_(
      "/api/v1/rules/{id}/stakeholders/{sid}",
      {.summary = "Remove a stakeholder", .tag = "rules", .errors = {404}, .access = access::user},
      [&](input<>& in) -> async<void> {
        auto id = rule_id_of(in.raw);
        auto sid = stakeholder_id_of(in.raw);
        auto from = origin_of(in);
        co_await svc.remove_stakeholder(in.who(), id, sid, from);
      }));

  router.add(
      http::post("/api/v1/rules/{id}/stakeholders/{sid}/resend",
                 {.summary = "Send the invite again with a new link (once a minute)",
                  .tag = "rules",
                  .status = 202,
                  .errors = {404, 409},
                  .access = access::user,
                  .limits = {per_ip("stakeholder_resend_ip"), per_user("stakeholder_resend_user")}},
                 [&](input<>& in) -> async<void> {
                   auto id = rule_id_of(in.raw);
                   auto sid = stakeholder_id_of(in.raw);
                   auto from = origin_of(in);
                   co_await svc.resend(in.who(), id, sid, from);
                 }));

  router.add(http::post("/api/v1/invites/accept",
                        {.summary = "Accept an invite to a rule",
                         .tag = "rules",
                         .errors = {403, 404, 410},
                         .access = access::user,
                         .limits = {per_ip("invite_accept_ip"), per_user("invite_accept_user")}},
                        [&](input<no_query, accept_body>& in) -> async<accepted_invite> {
                          auto from = origin_of(in);
                          co_return co_await svc.accept(in.who(), in.body, from);
                        }));
}

}  // namespace keel::api
