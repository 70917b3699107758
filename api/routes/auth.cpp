// Auth routes: path, method, DTOs, rate limit and the service call. Cookies for browsers are
// auth_web's business; every decision is the service's.
#include "api/routes/auth_web.hpp"
#include "api/routes/client.hpp"
#include "api/routes/routes.hpp"
#include "core/auth/limits.hpp"
#include "core/auth/service.hpp"
#include "core/http/endpoint.hpp"

namespace keel::api {

using auth::token_response;
using http::input;
using http::no_query;
using http::reply;

void add_auth_routes(http::router& router, auth::service& svc, auth::limits& limits,
                     const auth_web& web) {
  const std::vector<int> signed_in = {401};

  router.add(http::get("/.well-known/jwks.json",
                       {.summary = "Public keys that verify access tokens", .tag = "auth"},
                       [&svc](input<>&) -> async<http::response> {
                         auto res = http::response::text(svc.jwks_json(), "application/json");
                         // Keys change only with a deploy; verifiers may cache them for a
                         // while.
                         res.with_header("Cache-Control", "public, max-age=300");
                         co_return res;
                       }));

  router.add(http::post(
      "/api/v1/auth/register",
      {.summary = "Create an account", .tag = "auth", .status = 201, .errors = {409, 429}},
      [&](input<no_query, auth::register_body>& in) -> async<reply<token_response>> {
        std::optional<std::string> email = auth::normalize_email(in.body.email);
        co_await limits.check(in.raw, "register", email);
        auto from = origin_of(in.raw);
        auto tokens = co_await svc.register_user(in.body, from);
        co_return web.deliver(in.raw, std::move(tokens), 201);
      }));

  router.add(http::post(
      "/api/v1/auth/login",
      {.summary = "Sign in with email and password", .tag = "auth", .errors = {401, 403, 429}},
      [&](input<no_query, auth::login_body>& in) -> async<reply<token_response>> {
        std::optional<std::string> email = auth::normalize_email(in.body.email);
        co_await limits.check(in.raw, "login", email);
        auto from = origin_of(in.raw);
        auto tokens = co_await svc.login(in.body, from);
        co_return web.deliver(in.raw, std::move(tokens), 200);
      }));

  router.add(http::post(
      "/api/v1/auth/refresh",
      {.summary = "Trade a refresh token (body or cookie) for a new pair",
       .tag = "auth",
       .errors = {401, 403, 429}},
      [&](input<no_query, std::optional<auth::refresh_body>>& in) -> async<reply<token_response>> {
        std::optional<std::string> no_account;
        co_await limits.check(in.raw, "refresh", no_account);
        auto token = web.refresh_token(in.raw, in.body);
        if (!token) throw unauthorized("Send a refresh token.", "invalid_refresh_token");
        auto from = origin_of(in.raw);
        auto tokens = co_await svc.refresh(*token, from);
        co_return web.deliver(in.raw, std::move(tokens), 200);
      }));

  router.add(http::post("/api/v1/auth/logout",
                        {.summary = "End the current session",
                         .tag = "auth",
                         .errors = {401, 403, 429},
                         .bearer = true},
                        [&](input<no_query, std::optional<auth::refresh_body>>& in) -> async<void> {
                          std::optional<std::string> no_account;
                          co_await limits.check(in.raw, "logout", no_account);
                          auto authorization = authorization_of(in.raw);
                          if (!authorization.empty()) {
                            auto who = co_await svc.authenticate(authorization);
                            auto from = origin_of(in.raw, who.user_id);
                            co_await svc.logout(who, from);
                          } else {
                            // An expired access token is no reason to stay signed in: the refresh
                            // token works.
                            auto token = web.refresh_token(in.raw, in.body);
                            if (!token) throw unauthorized("Send an access or a refresh token.");
                            auto from = origin_of(in.raw);
                            co_await svc.logout_by_refresh(*token, from);
                          }
                          web.forget(in.raw);
                        }));

  router.add(http::get(
      "/api/v1/auth/me",
      {.summary = "The signed-in user", .tag = "auth", .errors = signed_in, .bearer = true},
      [&](input<>& in) -> async<auth::user_view> {
        std::optional<std::string> by_address_only;
        co_await limits.check(in.raw, "me", by_address_only);
        auto authorization = authorization_of(in.raw);
        co_return co_await svc.me(authorization);
      }));

  router.add(http::post(
      "/api/v1/auth/otp/request",
      {.summary = "Email a 6-digit sign-in code", .tag = "auth", .status = 202, .errors = {429}},
      [&](input<no_query, auth::email_body>& in) -> async<void> {
        std::optional<std::string> email = auth::normalize_email(in.body.email);
        co_await limits.check(in.raw, "otp_request", email);
        auto from = origin_of(in.raw);
        co_await svc.request_otp(in.body, from);
      }));

  router.add(http::post(
      "/api/v1/auth/otp/verify",
      {.summary = "Sign in with an emailed code", .tag = "auth", .errors = {401, 403, 429}},
      [&](input<no_query, auth::otp_verify_body>& in) -> async<reply<token_response>> {
        std::optional<std::string> email = auth::normalize_email(in.body.email);
        co_await limits.check(in.raw, "otp_verify", email);
        auto from = origin_of(in.raw);
        auto tokens = co_await svc.verify_otp(in.body, from);
        co_return web.deliver(in.raw, std::move(tokens), 200);
      }));

  router.add(http::post("/api/v1/auth/email/verify",
                        {.summary = "Confirm an email address with the emailed token",
                         .tag = "auth",
                         .errors = {429}},
                        [&](input<no_query, auth::token_body>& in) -> async<auth::user_view> {
                          std::optional<std::string> no_account;
                          co_await limits.check(in.raw, "email_verify", no_account);
                          auto from = origin_of(in.raw);
                          co_return co_await svc.verify_email(in.body, from);
                        }));

  router.add(http::post("/api/v1/auth/email/resend",
                        {.summary = "Email the verification link again",
                         .tag = "auth",
                         .status = 202,
                         .errors = {401, 429},
                         .bearer = true},
                        [&](input<>& in) -> async<void> {
                          auto authorization = authorization_of(in.raw);
                          auto who = co_await svc.authenticate(authorization);
                          std::optional<std::string> user = who.user_id.str();
                          co_await limits.check(in.raw, "email_resend", user);
                          auto from = origin_of(in.raw, who.user_id);
                          co_await svc.resend_verification(who, from);
                        }));

  router.add(http::post(
      "/api/v1/auth/password/forgot",
      {.summary = "Email a password reset link", .tag = "auth", .status = 202, .errors = {429}},
      [&](input<no_query, auth::email_body>& in) -> async<void> {
        std::optional<std::string> email = auth::normalize_email(in.body.email);
        co_await limits.check(in.raw, "password_forgot", email);
        auto from = origin_of(in.raw);
        co_await svc.forgot_password(in.body, from);
      }));

  router.add(
      http::post("/api/v1/auth/password/reset",
                 {.summary = "Choose a new password with the emailed token; ends every session",
                  .tag = "auth",
                  .errors = {429}},
                 [&](input<no_query, auth::password_reset_body>& in) -> async<void> {
                   std::optional<std::string> no_account;
                   co_await limits.check(in.raw, "password_reset", no_account);
                   auto from = origin_of(in.raw);
                   co_await svc.reset_password(in.body, from);
                 }));

  router.add(http::post("/api/v1/auth/password/change",
                        {.summary = "Change the password; ends the other sessions",
                         .tag = "auth",
                         .errors = {401, 429},
                         .bearer = true},
                        [&](input<no_query, auth::password_change_body>& in) -> async<void> {
                          auto authorization = authorization_of(in.raw);
                          auto who = co_await svc.authenticate(authorization);
                          std::optional<std::string> user = who.user_id.str();
                          co_await limits.check(in.raw, "password_change", user);
                          auto from = origin_of(in.raw, who.user_id);
                          co_await svc.change_password(who, in.body, from);
                        }));

  router.add(http::get(
      "/api/v1/auth/sessions",
      {.summary = "The user's open sessions", .tag = "auth", .errors = signed_in, .bearer = true},
      [&](input<>& in) -> async<auth::session_list> {
        auto authorization = authorization_of(in.raw);
        auto who = co_await svc.authenticate(authorization);
        std::optional<std::string> user = who.user_id.str();
        co_await limits.check(in.raw, "sessions", user);
        co_return co_await svc.sessions(who);
      }));

  router.add(http::delete_("/api/v1/auth/sessions/{id}",
                           {.summary = "End one of the user's sessions",
                            .tag = "auth",
                            .errors = {401, 404},
                            .bearer = true},
                           [&](input<>& in) -> async<void> {
                             auto authorization = authorization_of(in.raw);
                             auto who = co_await svc.authenticate(authorization);
                             std::optional<std::string> user = who.user_id.str();
                             co_await limits.check(in.raw, "sessions", user);
                             auto id = in.path<uuid>("id");
                             auto from = origin_of(in.raw, who.user_id);
                             co_await svc.end_session(who, id, from);
                           }));

  router.add(http::delete_("/api/v1/auth/sessions",
                           {.summary = "End every session but the current one",
                            .tag = "auth",
                            .errors = signed_in,
                            .bearer = true},
                           [&](input<>& in) -> async<void> {
                             auto authorization = authorization_of(in.raw);
                             auto who = co_await svc.authenticate(authorization);
                             std::optional<std::string> user = who.user_id.str();
                             co_await limits.check(in.raw, "sessions", user);
                             auto from = origin_of(in.raw, who.user_id);
                             co_await svc.end_other_sessions(who, from);
                           }));
}

}  // namespace keel::api
