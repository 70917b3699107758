// Who is calling: what an authenticated route receives, whichever feature proved it.
#pragma once
#include <any>
#include <string>

#include "core/runtime/uuid.hpp"

namespace keel {

// The role is the database's at the time of the request, not the token's: a demotion or a
// disabled account takes effect at once.
struct principal {
  uuid user_id;
  uuid session_id;
  std::string role;
  // What the authenticator learned on the way beyond the above, for its own feature's use
  // (auth: the user's row, so that /me answers from the one query authentication made).
  std::any details{};

  bool is_admin() const { return role == "admin"; }
};

}  // namespace keel
