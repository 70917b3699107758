// The list of every job kind keel-worker runs, each group handed the services it calls.
#include "worker/kinds.hpp"

#include "worker/app.hpp"

namespace keel::worker {

void add_kinds(app& app) {
  add_ops_kinds(app.kinds);                     // jobs.noop
  add_mail_kinds(app.kinds, app.db, app.mail);  // email.send
  add_auth_kinds(app.kinds, app.db);            // auth.password_reset
}

}  // namespace keel::worker
