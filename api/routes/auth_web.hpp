// How auth tokens reach a browser: the refresh token only in an HttpOnly cookie, never in a
// body a script could read; native clients get it in the body.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/auth/dto.hpp"
#include "core/http/endpoint.hpp"
#include "core/http/request.hpp"

namespace keel::auth {
struct settings;
}
namespace keel::http {
struct settings;
}

namespace keel::api {

class auth_web {
 public:
  // CORS_ORIGINS are the origins allowed to use the cookie; COOKIE_SECURE, SESSION_MAX_TTL.
  auth_web(const http::settings& http, const auth::settings& auth);

  // A request with `X-Client-Platform: web` comes from a browser.
  static bool is_browser(const http::request& req);

  // The refresh token from the body, or else from the cookie. A cookie travels with every
  // request the browser makes, so using it requires an allowed Origin (else 403): that is
  // what keeps another site from refreshing or ending a session with it.
  std::optional<std::string> refresh_token(const http::request& req,
                                           const std::optional<auth::refresh_body>& body) const;

  // Tokens as the client should get them: for a browser the refresh token leaves the body
  // for a cookie.
  http::reply<auth::token_response> deliver(const http::request& req, auth::token_response tokens,
                                            int status) const;

  // Expires the cookie (logout).
  void forget(http::request& req) const;

 private:
  std::string cookie_attributes() const;
  std::vector<std::string> allowed_origins_;
  bool secure_;
  long long max_age_;  // the session's absolute lifetime, in seconds
};

}  // namespace keel::api
