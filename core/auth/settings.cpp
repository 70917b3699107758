// The auth variables, and the checks that keel-api never starts with keys or token lifetimes
// it cannot use.
#include "core/auth/settings.hpp"

#include <stdexcept>

#include "core/auth/jwt.hpp"

namespace keel::auth {

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              // name, field, default, required, secret, description, min, max
              {"JWT_SIGNING_KEYS", &s::signing_keys, "", true, true,
               "Access-token keys, kid:seed,... (keel-cron run auth.keygen); the first signs, "
               "all verify"},
              {"JWT_ISSUER", &s::issuer, "keel", false, false,
               "The iss claim of access tokens, checked on every request"},
              {"ACCESS_TOKEN_TTL", &s::access_ttl, "15m", false, false,
               "How long an access token is valid (1m to 24h)"},
              {"PASSWORD_HASH_MEMORY", &s::password_hash_memory, "19", false, false,
               "Argon2id memory per password hash, in MiB", 19, 4096},
              {"PASSWORD_HASH_OPS", &s::password_hash_ops, "2", false, false,
               "Argon2id passes over that memory", 2, 100},
              {"PASSWORD_HASH_THREADS", &s::password_hash_threads, "2", false, false,
               "Threads that hash passwords (off the event loops)", 1, 256},
              {"PASSWORD_HASH_QUEUE", &s::password_hash_queue, "64", false, false,
               "Password hashes that may wait for a thread before requests get 503 busy", 0,
               100000},
              {"APP_URL", &s::app_url, "http://localhost:8080", false, false,
               "The web app's address, for the links in emails (verify email, reset password)"},
              {"SESSION_IDLE_TTL", &s::session_idle_ttl, "7d", false, false,
               "A session unused (not refreshed) this long ends"},
              {"SESSION_MAX_TTL", &s::session_max_ttl, "30d", false, false,
               "A session ends this long after sign-in, however much it is used"},
              {"REFRESH_REUSE_GRACE", &s::refresh_grace, "10s", false, false,
               "A spent refresh token presented again this soon gets the same new pair (two "
               "tabs)"},
              {"COOKIE_SECURE", &s::cookie_secure, "false", false, false,
               "true over HTTPS: the refresh cookie is Secure; SameSite=None"},
          },
      .check =
          [](settings& s, const runtime::settings&, runtime::problem_list& problems) {
            if (s.access_ttl < std::chrono::minutes(1) || s.access_ttl > std::chrono::hours(24)) {
              problems.push_back("ACCESS_TOKEN_TTL must be between 1m and 24h");
            }
            if (s.signing_keys.empty()) return;  // reported as required
            try {
              keyset::parse(s.signing_keys);
            } catch (const std::invalid_argument& e) {
              problems.emplace_back(e.what());  // names the entry, never the seed
            }
          },
  };
  return d;
}

}  // namespace keel::auth
