// Issuing and spending realtime tickets.
#include "core/realtime/tickets.hpp"

#include "core/auth/secrets.hpp"
#include "core/realtime/store.hpp"

namespace keel::realtime {

async<ticket_view> tickets::issue(const principal& who) {
  std::string ticket = auth::random_token(32);
  std::string token_hash = auth::sha256_hex(ticket);
  co_await store::insert_ticket(db_, token_hash, who.user_id, who.session_id, ticket_ttl);
  co_return ticket_view{.ticket = std::move(ticket),
                        .expires_in = static_cast<int>(ticket_ttl.count())};
}

async<std::optional<principal>> tickets::redeem(std::string_view ticket) {
  std::string token_hash = auth::sha256_hex(ticket);
  auto owner = co_await store::take_ticket(db_, token_hash);
  if (!owner) co_return std::nullopt;
  std::vector<uuid> asked{owner->session_id};
  auto open = co_await open_sessions_(asked);
  if (open.empty()) co_return std::nullopt;
  co_return principal{.user_id = owner->user_id, .session_id = owner->session_id, .role = {}};
}

}  // namespace keel::realtime
