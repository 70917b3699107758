// What routes read about the client that sent a request: where it came from, for the audit
// log. Who it is, the route's declaration already established (in.caller).
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

// The origin of a typed handler's request, the caller (when there is one) as the actor.
template <class Input>
audit::origin origin_of(const Input& in) {
  std::optional<uuid> actor;
  if (in.caller) actor = in.caller->user_id;
  return origin_of(in.raw, actor);
}

}  // namespace keel::api
