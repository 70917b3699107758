// What routes read about the client that sent a request: where it came from, for the audit
// log. Who it is, the route's declaration already established (in.caller).
#pragma once
#include <cstddef>
#include <optional>
#include <string>

#include "core/audit/dto.hpp"
#include "core/http/request.hpp"
#include "core/runtime/text.hpp"

namespace keel::api {

// The most of a User-Agent that sessions and the audit log keep (their columns allow 512).
inline constexpr std::size_t max_user_agent_bytes = 512;

// The User-Agent is stored as sent by the client, so it is cleaned first: bytes that are not
// UTF-8 and NULs become U+FFFD and a long one is cut between characters, never inside one.
inline audit::origin origin_of(const http::request& req,
                               const std::optional<uuid>& actor = std::nullopt) {
  return {
      .actor_id = actor,
      .ip = std::string(req.client_ip()),
      .user_agent = text::cleaned(req.header("User-Agent").value_or(""), max_user_agent_bytes),
      .request_id = req.request_id(),
      .traceparent = req.trace().traceparent(),
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
