// Auth job kinds: auth.password_reset looks an address up and mails its reset link.
#include "core/auth/reset_job.hpp"
#include "worker/kinds.hpp"

namespace keel::worker {

void add_auth_kinds(app& app) {
  auth::add_reset_job(app.kinds, app.db);
}

}  // namespace keel::worker
