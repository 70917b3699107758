// Auth routes: path, method, who may call, rate limits, DTOs and the service call. Cookies for
// browsers are auth_web's business; every decision is the service's.
#include "api/routes/auth_web.hpp"
#include "api/routes/client.hpp"
#include "api/routes/routes.hpp"
#include "core/auth/service.hpp"
#include "core/http/endpoint.hpp"

namespace keel::api {

using auth::token_response;
using http::access;
using http::input;
using http::no_query;
using http::per_body;
using http::per_ip;
using http::per_user;
using http::reply;

void add_auth_routes(http::router& router, auth::service& svc, const auth_web& web) {
  auto* email = &auth::normalize_email;

  router.add(http::get("/.well-known/jwks.json",
                       {.summary = "Public keys that verify access tokens", .tag = "auth"},
                       [&svc](input<>&) -> async<http::response> {
                         auto res = http::response::text(svc.jwks_json(), "application/json");
                         // Keys change only with a deploy; verifiers may cache them for a
                         // while.
                         res.with_header("Cache-Control", "public, max-age=300");
                         co_return res;
                       }));

  router.add(
      http::post("/api/v1/auth/register",
                 {.summary = "Create an account",
                  .tag = "auth",
                  .status = 201,
                  .errors = {409},
                  .limits = {per_ip("register_ip")}},
                 [&](input<no_query, auth::register_body>& in) -> async<reply<token_response>> {
                   auto from = origin_of(in);
                   auto tokens = co_await svc.register_user(in.body, from);
                   co_return web.deliver(in.raw, std::move(tokens), 201);
                 }));

  router.add(http::post("/api/v1/auth/login",
                        {.summary = "Sign in with email and password",
                         .tag = "auth",
                         .errors = {401, 403},
                         .limits = {per_ip("login_ip"), per_body("login_email", "email", email)}},
                        [&](input<no_query, auth::login_body>& in) -> async<reply<token_response>> {
                          auto from = origin_of(in);
                          auto tokens = co_await svc.login(in.body, from);
                          co_return web.deliver(in.raw, std::move(tokens), 200);
                        }));

  router.add(http::post(
      "/api/v1/auth/refresh",
      {.summary = "Trade a refresh token (body or cookie) for a new pair",
       .tag = "auth",
       .errors = {401, 403},
       .limits = {per_ip("refresh_ip")}},
      [&](input<no_query, std::optional<auth::refresh_body>>& in) -> async<reply<token_response>> {
        auto token = web.refresh_token(in.raw, in.body);
        if (!token) throw unauthorized("Send a refresh token.", "invalid_refresh_token");
        auto from = origin_of(in);
        auto tokens = co_await svc.refresh(*token, from);
        co_return web.deliver(in.raw, std::move(tokens), 200);
      }));

  router.add(http::post("/api/v1/auth/logout",
                        {.summary = "End the current session",
                         .tag = "auth",
                         .errors = {403},
                         .access = access::user_if_sent,
                         .limits = {per_ip("logout_ip")}},
                        [&](input<no_query, std::optional<auth::refresh_body>>& in) -> async<void> {
                          if (in.caller) {
                            auto from = origin_of(in);
                            co_await svc.logout(*in.caller, from);
                          } else {
                            // An expired access token is no reason to stay signed in: the refresh
                            // token works.
                            auto token = web.refresh_token(in.raw, in.body);
                            if (!token) throw unauthorized("Send an access or a refresh token.");
                            auto from = origin_of(in);
                            co_await svc.logout_by_refresh(*token, from);
                          }
                          web.forget(in.raw);
                        }));

  router.add(http::get("/api/v1/auth/me",
                       {.summary = "The signed-in user",
                        .tag = "auth",
                        .access = access::user,
                        .limits = {per_ip("me_ip")}},
                       [&](input<>& in) -> async<auth::user_view> { co_return svc.me(in.who()); }));

  router.add(http::post(
      "/api/v1/auth/otp/request",
      {.summary = "Email a 6-digit sign-in code",
       .tag = "auth",
       .status = 202,
       .limits = {per_ip("otp_request_ip"), per_body("otp_request_email", "email", email)}},
      [&](input<no_query, auth::otp_request_body>& in) -> async<void> {
        auto from = origin_of(in);
        co_await svc.request_otp(in.body, from);
      }));

  router.add(http::post(
      "/api/v1/auth/otp/verify",
      {.summary = "Sign in with an emailed code",
       .tag = "auth",
       .errors = {401, 403},
       .limits = {per_ip("otp_verify_ip"), per_body("otp_verify_email", "email", email)}},
      [&](input<no_query, auth::otp_verify_body>& in) -> async<reply<token_response>> {
        auto from = origin_of(in);
        auto tokens = co_await svc.verify_otp(in.body, from);
        co_return web.deliver(in.raw, std::move(tokens), 200);
      }));

  router.add(http::post("/api/v1/auth/email/verify",
                        {.summary = "Confirm an email address with the emailed token",
                         .tag = "auth",
                         .limits = {per_ip("email_verify_ip")}},
                        [&](input<no_query, auth::token_body>& in) -> async<auth::user_view> {
                          auto from = origin_of(in);
                          co_return co_await svc.verify_email(in.body, from);
                        }));

  router.add(http::post("/api/v1/auth/email/resend",
                        {.summary = "Email the verification link again",
                         .tag = "auth",
                         .status = 202,
                         .access = access::user,
                         .limits = {per_ip("email_resend_ip"), per_user("email_resend_user")}},
                        [&](input<>& in) -> async<void> {
                          auto from = origin_of(in);
                          co_await svc.resend_verification(in.who(), from);
                        }));

  router.add(http::post(
      "/api/v1/auth/password/forgot",
      {.summary = "Email a password reset link",
       .tag = "auth",
       .status = 202,
       .limits = {per_ip("password_forgot_ip"), per_body("password_forgot_email", "email", email)}},
      [&](input<no_query, auth::email_body>& in) -> async<void> {
        auto from = origin_of(in);
        co_await svc.forgot_password(in.body, from);
      }));

  router.add(
      http::post("/api/v1/auth/password/reset",
                 {.summary = "Choose a new password with the emailed token; ends every session",
                  .tag = "auth",
                  .limits = {per_ip("password_reset_ip")}},
                 [&](input<no_query, auth::password_reset_body>& in) -> async<void> {
                   auto from = origin_of(in);
                   co_await svc.reset_password(in.body, from);
                 }));

  router.add(
      http::post("/api/v1/auth/password/change",
                 {.summary = "Change the password; ends the other sessions",
                  .tag = "auth",
                  .access = access::user,
                  .limits = {per_ip("password_change_ip"), per_user("password_change_user")}},
                 [&](input<no_query, auth::password_change_body>& in) -> async<void> {
                   auto from = origin_of(in);
                   co_await svc.change_password(in.who(), in.body, from);
                 }));

  router.add(http::get("/api/v1/auth/sessions",
                       {.summary = "The user's open sessions",
                        .tag = "auth",
                        .access = access::user,
                        .limits = {per_ip("sessions_ip")}},
                       [&](input<>& in) -> async<auth::session_list> {
                         co_return co_await svc.sessions(in.who());
                       }));

  router.add(http::delete_("/api/v1/auth/sessions/{id}",
                           {.summary = "End one of the user's sessions",
                            .tag = "auth",
                            .errors = {404},
                            .access = access::user,
                            .limits = {per_ip("sessions_ip")}},
                           [&](input<>& in) -> async<void> {
                             auto id = in.path<uuid>("id");
                             auto from = origin_of(in);
                             co_await svc.end_session(in.who(), id, from);
                           }));

  router.add(http::delete_("/api/v1/auth/sessions",
                           {.summary = "End every session but the current one",
                            .tag = "auth",
                            .access = access::user,
                            .limits = {per_ip("sessions_ip")}},
                           [&](input<>& in) -> async<void> {
                             auto from = origin_of(in);
                             co_await svc.end_other_sessions(in.who(), from);
                           }));

  router.add(
      http::delete_("/api/v1/auth/me",
                    {.summary = "Delete the account (needs a sign-in within the last 10 minutes)",
                     .tag = "auth",
                     .errors = {403},
                     .access = access::user,
                     .limits = {per_ip("account_delete_ip"), per_user("account_delete_user")}},
                    [&](input<>& in) -> async<void> {
                      auto from = origin_of(in);
                      co_await svc.delete_account(in.who(), from);
                      web.forget(in.raw);
                    }));

  router.add(http::post("/api/v1/auth/email/change",
                        {.summary = "Mail a link that moves the account to a new address",
                         .tag = "auth",
                         .status = 202,
                         .errors = {409},
                         .access = access::user,
                         .limits = {per_ip("email_change_ip"), per_user("email_change_user")}},
                        [&](input<no_query, auth::email_change_body>& in) -> async<void> {
                          auto from = origin_of(in);
                          co_await svc.request_email_change(in.who(), in.body, from);
                        }));

  router.add(http::post("/api/v1/auth/email/change/confirm",
                        {.summary = "Move the account to the new address with the emailed token; "
                                    "ends every session",
                         .tag = "auth",
                         .errors = {403, 404, 409, 410},
                         .limits = {per_ip("email_change_confirm_ip")}},
                        [&](input<no_query, auth::token_body>& in) -> async<auth::user_view> {
                          auto from = origin_of(in);
                          co_return co_await svc.confirm_email_change(in.body, from);
                        }));
}

}  // namespace keel::api
