// Who a valid access token speaks for: what every authenticated route receives.
#pragma once
#include <string>

#include "core/runtime/error.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::auth {

// The role is the database's at the time of the request, not the token's: a demotion or a
// disabled account takes effect at once.
struct principal {
  uuid user_id;
  uuid session_id;
  std::string role;

  bool is_admin() const { return role == "admin"; }
};

// Throws forbidden (403) unless the principal is an admin.
inline void require_admin(const principal& who) {
  if (!who.is_admin()) throw forbidden("This needs the admin role.", "admin_required");
}

}  // namespace keel::auth
