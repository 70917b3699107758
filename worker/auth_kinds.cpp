// Auth job kinds: auth.password_reset looks an address up and mails its reset link.
#include "core/auth/reset_job.hpp"
#include "worker/kinds.hpp"

namespace keel::worker {

void add_auth_kinds(jobs::registry& kinds, db::pool& db) {
  auth::add_reset_job(kinds, db);
}

}  // namespace keel::worker
