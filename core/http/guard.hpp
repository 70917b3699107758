// Who may call a route and which rate limits it counts against: what a route declares, and
// the hooks that enforce it. core/http knows no feature: the program wires auth's
// authenticator in, and each feature adds the table of limits it declares.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ratelimit/limiter.hpp"
#include "core/runtime/async.hpp"
#include "core/runtime/principal.hpp"

namespace keel::http {

class request;

// Who may call a route; checked before anything is decoded or the handler runs. The OpenAPI
// `security` of the operation says the same.
enum class access {
  none,   // anyone (documented as `security: []`)
  user,   // a valid access token of an open session, else 401
  admin,  // the same with the admin role, else 403 for a signed-in user
  // anyone; a token that is sent must be valid (401 otherwise), and the handler learns who
  // sent it (logout, which also takes a refresh token alone)
  user_if_sent,
};

// What a rate limit counts a request by.
enum class limit_key {
  ip,     // the client's address
  user,   // the caller's user id (a route that is not `none`)
  body,   // a text member of the body DTO
  query,  // a query parameter
};

// One limit a route counts its requests against: the name of a limit some feature declared
// (ratelimit::rule) and the key. A request without the key (no such member sent, nobody
// signed in) is not counted against that limit.
struct limit_use {
  std::string limit;
  limit_key by = limit_key::ip;
  std::string field{};  // the body member or query parameter
  // Makes one key of the spellings of one value, e.g. auth::normalize_email; null: as sent.
  std::string (*normalize)(std::string_view) = nullptr;
};

inline limit_use per_ip(std::string limit) {
  return {.limit = std::move(limit), .by = limit_key::ip};
}
inline limit_use per_user(std::string limit) {
  return {.limit = std::move(limit), .by = limit_key::user};
}
inline limit_use per_body(std::string limit, std::string member,
                          std::string (*normalize)(std::string_view) = nullptr) {
  return {.limit = std::move(limit),
          .by = limit_key::body,
          .field = std::move(member),
          .normalize = normalize};
}
inline limit_use per_query(std::string limit, std::string parameter,
                           std::string (*normalize)(std::string_view) = nullptr) {
  return {.limit = std::move(limit),
          .by = limit_key::query,
          .field = std::move(parameter),
          .normalize = normalize};
}

// Turns an Authorization header value into the caller. The program wires auth's in.
class authenticator {
 public:
  virtual ~authenticator() = default;
  // Throws unauthorized (401) unless `authorization` ("Bearer <token>", or empty) is valid.
  virtual async<principal> authenticate(std::string_view authorization) = 0;
};

// What enforces the routes' declarations. The router holds one; router::check() compares
// every route against it at start-up. The pointers must outlive the router.
struct guard {
  authenticator* authenticate = nullptr;  // for every route whose access is not none
  ratelimit::limiter* limiter = nullptr;  // for every route that counts a limit
  std::vector<ratelimit::rule> limits;    // what the features declared, by name
  bool count_limits = true;               // false (RATE_LIMITS=false) is for load tests only

  // Throws std::logic_error when a name is declared twice.
  void add_limits(const std::vector<ratelimit::rule>& table);
  const ratelimit::rule* find_limit(std::string_view name) const;
};

namespace detail {

// The caller of a route declared `rule` (nullopt for none, or user_if_sent without a token);
// throws unauthorized or forbidden.
async<std::optional<principal>> admit(const request& req, access rule);

// Counts one hit against each limit whose key is there (keys[i] for uses[i]), puts the
// tightest's RateLimit-* headers on the answer and throws too_many_requests when one refuses.
async<void> count(request& req, const std::vector<limit_use>& uses,
                  const std::vector<std::optional<std::string>>& keys);

}  // namespace detail
}  // namespace keel::http
