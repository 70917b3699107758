// Single-use tickets: a signed-in client asks for one with its access token, then opens a
// WebSocket or an event stream with it in the URL (browsers cannot send Authorization
// there). Only the ticket's hash is stored; it lives 30 s and opens one connection.
#pragma once
#include <optional>
#include <string_view>

#include "core/realtime/dto.hpp"
#include "core/realtime/hub.hpp"

namespace keel::realtime {

inline constexpr std::chrono::seconds ticket_ttl{30};

class tickets {
 public:
  tickets(db::pool& db, session_check open_sessions)
      : db_(db), open_sessions_(std::move(open_sessions)) {}

  async<ticket_view> issue(const principal& who);
  // The caller the ticket was issued to, spending it; nullopt when it is unknown, used,
  // expired, or its session has ended since.
  async<std::optional<principal>> redeem(std::string_view ticket);

 private:
  db::pool& db_;
  session_check open_sessions_;
};

}  // namespace keel::realtime
