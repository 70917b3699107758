// Realtime routes: a ticket, then a WebSocket or an event stream. Each route checks who is
// calling (a ticket, or Authorization for clients that can send it), the Origin and what the
// caller may follow, answering problems as any route does; only then is the connection
// handed to realtime (core/realtime/connections.hpp).
#include <algorithm>

#include "api/routes/routes.hpp"
#include "core/http/endpoint.hpp"
#include "core/http/problem.hpp"
#include "core/realtime/connections.hpp"
#include "core/realtime/hub.hpp"
#include "core/realtime/tickets.hpp"
#include "core/runtime/error.hpp"

namespace keel::api {

using http::access;
using http::input;
using http::no_body;
using http::no_query;
using http::per_ip;
using http::per_user;

namespace {

// A browser always sends Origin on a WebSocket and a cross-origin EventSource; a page of an
// origin not on CORS_ORIGINS must not ride on a user's ticket. Native clients send none.
void check_origin(const http::request& req, const std::vector<std::string>& allowed) {
  auto origin = req.header("Origin");
  if (!origin) return;
  if (std::find(allowed.begin(), allowed.end(), *origin) == allowed.end()) {
    throw forbidden("This origin may not open realtime connections.", "origin_not_allowed");
  }
}

// The caller: Authorization when sent (checked by the route's guard), else the ticket.
async<principal> caller_of(const std::optional<principal>& bearer,
                           const std::optional<std::string>& ticket, realtime::tickets& tickets) {
  if (bearer) co_return *bearer;
  if (!ticket) {
    throw unauthorized("Open realtime connections with ?ticket= (POST /api/v1/realtime/ticket).",
                       "ticket_required");
  }
  auto who = co_await tickets.redeem(*ticket);
  if (!who) {
    throw unauthorized("The ticket is unknown, used, expired, or its session ended.",
                       "invalid_ticket");
  }
  co_return std::move(*who);
}

bool names_websocket(std::string_view upgrade) {
  constexpr std::string_view word = "websocket";
  return upgrade.size() == word.size() &&
         std::equal(word.begin(), word.end(), upgrade.begin(),
                    [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b + 32 : b); });
}

void admit(realtime::hub& hub, const principal& who) {
  if (hub.stopping()) throw unavailable("The server is shutting down.", "shutting_down", 1);
  if (!hub.admit(who.user_id)) {
    throw too_many_requests(10, "You hold as many live connections as one user may.",
                            "too_many_connections");
  }
}

// An event id for Last-Event-ID: one number for every channel, or one per channel ("41,7").
std::vector<std::optional<std::int64_t>> resume_points(std::string_view text,
                                                       std::size_t channels) {
  std::vector<std::optional<std::int64_t>> out(channels);
  if (text.empty()) return out;
  std::vector<std::int64_t> ids;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto comma = text.find(',', at);
    auto part =
        text.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    std::int64_t id = 0;
    if (part.empty() || part.size() > 18 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw validation_failed(std::vector<field_error>{{"Last-Event-ID", "is not an event id"}});
    }
    for (char c : part) id = id * 10 + (c - '0');
    ids.push_back(id);
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  if (ids.size() != 1 && ids.size() != channels) {
    throw validation_failed(
        std::vector<field_error>{{"Last-Event-ID", "names a different number of channels"}});
  }
  for (std::size_t i = 0; i < channels; ++i) out[i] = ids.size() == 1 ? ids[0] : ids[i];
  return out;
}

}  // namespace

void add_realtime_routes(http::router& router, realtime::hub& hub, realtime::tickets& tickets,
                         const std::vector<std::string>& allowed_origins) {
  router.add(
      http::post("/api/v1/realtime/ticket",
                 {.summary = "A single-use ticket (30 s) to open a WebSocket or event stream",
                  .tag = "realtime",
                  .status = 201,
                  .access = access::user,
                  .limits = {per_user("realtime_ticket_user")}},
                 [&](input<>& in) -> async<realtime::ticket_view> {
                   co_return co_await tickets.issue(in.who());
                 }));

  router.add(http::get(
      "/api/v1/realtime",
      // Hidden from OpenAPI, which cannot describe a WebSocket (its only success is a 101);
      // the protocol is in docs/realtime.md.
      {.summary = "Open a WebSocket for live events (subscribe to user:<id> and rule:<id>)",
       .tag = "realtime",
       .status = 101,
       .errors = {403, 426, 503},
       .hidden = true,
       .access = access::user_if_sent,
       .limits = {per_ip("realtime_connect_ip")}},
      [&](input<realtime::socket_query>& in) -> async<http::response> {
        check_origin(in.raw, allowed_origins);
        auto upgrade = in.raw.header("Upgrade");
        if (!upgrade || !names_websocket(*upgrade)) {
          auto r = http::problem_response(426, "upgrade_required",
                                          "This route speaks WebSocket only.", in.raw.request_id());
          r.with_header("Upgrade", "websocket");
          co_return r;
        }
        auto who = co_await caller_of(in.caller, in.query.ticket, tickets);
        admit(hub, who);
        http::response r;
        r.status = 101;
        r.content_type.clear();
        r.takeover = realtime::websocket_takeover(hub, std::move(who));
        co_return r;
      }));

  router.add(http::get(
      "/api/v1/events",
      {.summary = "A Server-Sent Events stream of live events on the channels named",
       .tag = "realtime",
       .errors = {403, 503},
       .access = access::user_if_sent,
       .limits = {per_ip("realtime_connect_ip")}},
      [&](input<realtime::stream_query>& in) -> async<http::response> {
        check_origin(in.raw, allowed_origins);
        auto who = co_await caller_of(in.caller, in.query.ticket, tickets);
        auto& names = in.query.channel;
        for (const auto& name : names) {
          auto target = realtime::parse_channel(name);
          if (!target) {
            throw validation_failed(
                std::vector<field_error>{{"channel", "is not user:<id> or rule:<id>"}});
          }
          bool allowed = co_await hub.may_follow(who, *target);
          if (!allowed) throw forbidden("You may not follow " + name + ".", "channel_forbidden");
        }
        auto header = in.raw.header("Last-Event-ID");
        std::string_view last;
        if (header) {
          last = *header;
        } else if (in.query.last_event_id) {
          last = *in.query.last_event_id;
        }
        auto since = resume_points(last, names.size());
        admit(hub, who);
        http::response r;
        r.content_type = "text/event-stream";
        r.with_header("Cache-Control", "no-store");
        r.with_header("X-Accel-Buffering", "no");  // proxies must not hold events back
        r.takeover = realtime::event_stream_takeover(hub, std::move(who), names, std::move(since));
        co_return r;
      }));
}

}  // namespace keel::api
