// What routes read about the client that sent a request: where it came from, for the audit
// log, and its bearer credentials.
#pragma once
#include <optional>
#include <string>

#include "core/audit/dto.hpp"
#include "core/http/request.hpp"

namespace keel::api {

inline audit::origin origin_of(const http::request& req,
                               const std::optional<uuid>& actor = std::nullopt) {
  return {
      .actor_id = actor,
      .ip = std::string(req.client_ip()),
      .user_agent = std::string(req.header("User-Agent").value_or("")),
      .request_id = req.request_id(),
  };
}

// The Authorization header's value, empty when absent (authenticate() then answers 401).
inline std::string authorization_of(const http::request& req) {
  return std::string(req.header("Authorization").value_or(""));
}

}  // namespace keel::api
