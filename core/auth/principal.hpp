// Who a valid access token speaks for: what every authenticated route receives.
#pragma once
#include "core/runtime/error.hpp"
#include "core/runtime/principal.hpp"

namespace keel::auth {

// keel's principal (core/runtime), so that routes declared `user` or `admin` hand the same
// type to the handler without the HTTP layer knowing auth.
using principal = keel::principal;

// Throws forbidden (403) unless the principal is an admin.
inline void require_admin(const principal& who) {
  if (!who.is_admin()) throw forbidden("This needs the admin role.", "admin_required");
}

}  // namespace keel::auth
