// The auth settings (JWT_*, ACCESS_TOKEN_TTL, SESSION_*, REFRESH_REUSE_GRACE, APP_URL,
// PASSWORD_HASH_*, COOKIE_SECURE), read by keel-api, in the units the service works in.
#pragma once
#include <chrono>
#include <string>

#include "core/runtime/config.hpp"

namespace keel::auth {

struct settings {
  std::string signing_keys;  // "kid:seed,..." (secret): see core/auth/jwt.hpp
  std::string issuer = "keel";
  std::chrono::seconds access_ttl{15 * 60};
  std::chrono::seconds session_idle_ttl{7 * 86400};
  std::chrono::seconds session_max_ttl{30 * 86400};
  std::chrono::seconds refresh_grace{10};
  std::string app_url = "http://localhost:8080";  // where the links in emails point (the web app)
  int password_hash_memory = 19;                  // MiB
  int password_hash_ops = 2;
  int password_hash_threads = 2;
  int password_hash_queue = 64;
  bool cookie_secure = false;

  static const runtime::declaration<settings>& declared();
};

}  // namespace keel::auth
