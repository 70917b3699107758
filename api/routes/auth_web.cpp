// Refresh-token cookies for browsers, and the Origin check that makes them safe.
#include "api/routes/auth_web.hpp"

#include <algorithm>
#include <chrono>

#include "core/auth/settings.hpp"
#include "core/http/headers.hpp"
#include "core/http/settings.hpp"
#include "core/runtime/error.hpp"

namespace keel::api {
namespace {

constexpr std::string_view cookie_name = "keel_refresh";

}  // namespace

auth_web::auth_web(const http::settings& http, const auth::settings& auth)
    : allowed_origins_(http.cors_origins),
      secure_(auth.cookie_secure),
      max_age_(auth.session_max_ttl.count()) {}

bool auth_web::is_browser(const http::request& req) {
  auto platform = req.header("X-Client-Platform");
  return platform && *platform == "web";
}

std::optional<std::string> auth_web::refresh_token(
    const http::request& req, const std::optional<auth::refresh_body>& body) const {
  if (body && body->refresh_token) return body->refresh_token;
  auto cookies = req.header("Cookie");
  auto token = cookies ? http::find_cookie(*cookies, cookie_name) : std::nullopt;
  if (!token || token->empty()) return std::nullopt;
  auto origin = req.header("Origin");
  bool allowed = origin && std::find(allowed_origins_.begin(), allowed_origins_.end(), *origin) !=
                               allowed_origins_.end();
  if (!allowed) {
    throw forbidden("A request that uses the session cookie must come from an allowed origin.",
                    "origin_not_allowed");
  }
  return std::string(*token);
}

std::string auth_web::cookie_attributes() const {
  // Path limits the cookie to the auth routes, so no other request carries it. Cross-site
  // front ends (COOKIE_SECURE) need SameSite=None, which browsers accept only with Secure.
  return secure_ ? "; Path=/api/v1/auth; HttpOnly; Secure; SameSite=None"
                 : "; Path=/api/v1/auth; HttpOnly; SameSite=Lax";
}

http::reply<auth::token_response> auth_web::deliver(const http::request& req,
                                                    auth::token_response tokens, int status) const {
  http::reply<auth::token_response> r{.body = std::move(tokens), .status = status, .headers = {}};
  if (is_browser(req) && r.body.refresh_token) {
    r.headers.emplace_back("Set-Cookie", std::string(cookie_name) + "=" + *r.body.refresh_token +
                                             "; Max-Age=" + std::to_string(max_age_) +
                                             cookie_attributes());
    r.body.refresh_token.reset();
  }
  return r;
}

void auth_web::forget(http::request& req) const {
  if (!is_browser(req)) return;
  req.add_response_header("Set-Cookie",
                          std::string(cookie_name) + "=; Max-Age=0" + cookie_attributes());
}

}  // namespace keel::api
